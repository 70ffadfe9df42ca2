import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { updateRole } from '../../tenancy/application-roles.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { roleBody, roleIdParams, roleJson } from './application-json.ts';

type Route = { Params: { applicationId: string; roleId: string } };
type Request = FastifyRequest<Route>;

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/application/{id}/role/{roleId}. */
export function registerUpdateApplicationRole(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const update = requestedUpdate(request, method, 'role');
    const role = await deps.store.transaction(async (repositories) => {
      const application = await findApplicationInScope(repositories, request.params.applicationId, scope);
      if (application === undefined) return undefined;
      return updateRole(repositories, application, request.params.roleId.toLowerCase(), update, deps.now());
    });
    if (role === undefined) throw ApiError.notFound();
    return { role: roleJson(role) };
  };
  const schema = { body: roleBody, params: roleIdParams };
  app.put('/application/:applicationId/role/:roleId', { schema }, handler('put'));
  app.patch<Route>('/application/:applicationId/role/:roleId', patchRoute(schema), handler('patch'));
}
