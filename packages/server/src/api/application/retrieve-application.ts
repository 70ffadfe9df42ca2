import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationIdParams, applicationJson } from './application-json.ts';

const listQuery = { type: 'object', properties: { inactive: { type: 'boolean' } } } as const;

/**
 * GET /api/application lists the active applications (`?inactive=true`: only the inactive ones);
 * GET /api/application/{id} returns one whatever its state. A scoped caller sees its tenant's only.
 */
export function registerRetrieveApplication(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  app.get('/application', { schema: { querystring: listQuery } }, async (request: FastifyRequest<{ Querystring: { inactive?: boolean } }>) => {
    const tenantId = requestTenantId(request, deps.callers.get(request));
    const filter = { active: request.query.inactive !== true, tenantId };
    const { applications, scopes } = await deps.store.transaction(async (repositories) => ({
      applications: await repositories.applications.list(filter),
      scopes: await repositories.applicationScopes.listByApplications(filter),
    }));
    return { applications: applications.map((application) => applicationJson(application, deps.keyRing, scopes.get(application.id) ?? [])) };
  });

  app.get('/application/:applicationId', { schema: { params: applicationIdParams } }, async (request: FastifyRequest<{ Params: { applicationId: string } }>) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const repositories = deps.store.repositories;
    const application = await findApplicationInScope(repositories, request.params.applicationId, scope);
    if (application === undefined) throw ApiError.notFound();
    return { application: applicationJson(application, deps.keyRing, await repositories.applicationScopes.listByApplication(application.id)) };
  });
}
