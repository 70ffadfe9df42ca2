import type { FastifyInstance, FastifyRequest } from 'fastify';
import { updatePermission } from '../../entities/entity-type-permissions.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { permissionBody, permissionIdParams, permissionJson } from './entity-type-json.ts';

type Route = { Params: { entityTypeId: string; permissionId: string } };

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/entity/type/{entityTypeId}/permission/{permissionId}; the name stays. */
export function registerUpdateEntityTypePermission(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: FastifyRequest<Route>) => {
    requireGlobalCaller(deps.callers, request);
    const update = requestedUpdate(request, method, 'permission');
    const permission = await deps.store.transaction(async (repositories) => {
      const type = await repositories.entityTypes.find(request.params.entityTypeId.toLowerCase());
      return type && updatePermission(repositories, type, request.params.permissionId.toLowerCase(), update, deps.now());
    });
    if (permission === undefined) throw ApiError.notFound();
    return { permission: permissionJson(permission) };
  };
  const schema = { body: permissionBody, params: permissionIdParams };
  app.put('/entity/type/:entityTypeId/permission/:permissionId', { schema }, handler('put'));
  app.patch<Route>('/entity/type/:entityTypeId/permission/:permissionId', patchRoute(schema), handler('patch'));
}
