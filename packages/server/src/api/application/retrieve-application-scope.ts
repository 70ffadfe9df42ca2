import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { scopeIdParams, scopeJson } from './application-json.ts';

type Request = FastifyRequest<{ Params: { applicationId: string; scopeId: string } }>;

/** GET /api/application/{id}/scope/{scopeId} → `{"scope": {...}}`; every scope also comes with the application. */
export function registerRetrieveApplicationScope(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/application/:applicationId/scope/:scopeId', { schema: { params: scopeIdParams } }, async (request: Request) => {
    const tenant = requestTenantId(request, deps.callers.get(request));
    const repositories = deps.store.repositories;
    const application = await findApplicationInScope(repositories, request.params.applicationId.toLowerCase(), tenant);
    const scope = application && (await repositories.applicationScopes.find(application.id, request.params.scopeId.toLowerCase()));
    if (scope === undefined) throw ApiError.notFound();
    return { scope: scopeJson(scope) };
  });
}
