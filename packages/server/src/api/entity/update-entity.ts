import type { FastifyInstance, FastifyRequest } from 'fastify';
import { updateEntity } from '../../entities/entities.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { entityBody, entityIdParams, entityJson } from './entity-json.ts';

type Route = { Params: { entityId: string } };

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/entity/{entityId}; tenant, type and client id stay. */
export function registerUpdateEntity(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: FastifyRequest<Route>) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const { mode, body } = requestedUpdate(request, method, 'entity');
    const entity = await deps.store.transaction((repositories) => updateEntity(repositories, deps.keyRing, { id: request.params.entityId, body, mode, scope }, deps.now()));
    if (entity === undefined) throw ApiError.notFound();
    return { entity: entityJson(entity, deps.keyRing) };
  };
  const schema = { body: entityBody, params: entityIdParams };
  app.put('/entity/:entityId', { schema }, handler('put'));
  app.patch<Route>('/entity/:entityId', patchRoute(schema), handler('patch'));
}
