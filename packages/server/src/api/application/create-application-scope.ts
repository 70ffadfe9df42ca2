import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { createScope } from '../../tenancy/application-scopes.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationIdParams, scopeBody, scopeIdParams, scopeJson } from './application-json.ts';

type Request = FastifyRequest<{ Body: { scope: unknown }; Params: { applicationId: string; scopeId?: string } }>;

/** POST /api/application/{id}/scope[/{scopeId}] → `{"scope": {...}}`: a custom OAuth scope. */
export function registerCreateApplicationScope(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    const tenant = requestTenantId(request, deps.callers.get(request));
    const scope = await deps.store.transaction(async (repositories) => {
      const application = await findApplicationInScope(repositories, request.params.applicationId.toLowerCase(), tenant);
      if (application === undefined) return undefined;
      return createScope(repositories, application, request.params.scopeId?.toLowerCase(), request.body.scope, deps.now());
    });
    if (scope === undefined) throw ApiError.notFound();
    return { scope: scopeJson(scope) };
  };
  app.post('/application/:applicationId/scope', { schema: { body: scopeBody, params: applicationIdParams } }, handler);
  app.post('/application/:applicationId/scope/:scopeId', { schema: { body: scopeBody, params: scopeIdParams } }, handler);
}
