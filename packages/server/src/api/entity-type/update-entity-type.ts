import type { FastifyInstance, FastifyRequest } from 'fastify';
import { updateEntityType } from '../../entities/entity-types.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { entityTypeBody, entityTypeIdParams, entityTypeJson } from './entity-type-json.ts';

type Route = { Params: { entityTypeId: string } };

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/entity/type/{entityTypeId}; permissions are left alone. */
export function registerUpdateEntityType(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: FastifyRequest<Route>) => {
    requireGlobalCaller(deps.callers, request);
    const { mode, body } = requestedUpdate(request, method, 'entityType');
    const id = request.params.entityTypeId.toLowerCase();
    const type = await deps.store.transaction((repositories) => updateEntityType(repositories, id, { body, mode }, deps.now()));
    if (type === undefined) throw ApiError.notFound();
    return { entityType: entityTypeJson(type) };
  };
  const schema = { body: entityTypeBody, params: entityTypeIdParams };
  app.put('/entity/type/:entityTypeId', { schema }, handler('put'));
  app.patch<Route>('/entity/type/:entityTypeId', patchRoute(schema), handler('patch'));
}
