import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { updateScope } from '../../tenancy/application-scopes.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { scopeBody, scopeIdParams, scopeJson } from './application-json.ts';

type Route = { Params: { applicationId: string; scopeId: string } };

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/application/{id}/scope/{scopeId}; the name stays. */
export function registerUpdateApplicationScope(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: FastifyRequest<Route>) => {
    const tenant = requestTenantId(request, deps.callers.get(request));
    const update = requestedUpdate(request, method, 'scope');
    const scope = await deps.store.transaction(async (repositories) => {
      const application = await findApplicationInScope(repositories, request.params.applicationId.toLowerCase(), tenant);
      if (application === undefined) return undefined;
      return updateScope(repositories, application, request.params.scopeId.toLowerCase(), update, deps.now());
    });
    if (scope === undefined) throw ApiError.notFound();
    return { scope: scopeJson(scope) };
  };
  const schema = { body: scopeBody, params: scopeIdParams };
  app.put<Route>('/application/:applicationId/scope/:scopeId', { schema }, handler('put'));
  app.patch<Route>('/application/:applicationId/scope/:scopeId', patchRoute(schema), handler('patch'));
}
