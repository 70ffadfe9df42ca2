import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { entityTypeIdParams, entityTypeJson } from './entity-type-json.ts';

/** GET /api/entity/type → `{"entityTypes": [...]}` by name; GET /api/entity/type/{entityTypeId} → `{"entityType": {...}}`. */
export function registerRetrieveEntityType(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/entity/type', async (request) => {
    requireGlobalCaller(deps.callers, request);
    return { entityTypes: (await deps.store.repositories.entityTypes.list()).map(entityTypeJson) };
  });
  app.get('/entity/type/:entityTypeId', { schema: { params: entityTypeIdParams } }, async (request: FastifyRequest<{ Params: { entityTypeId: string } }>) => {
    requireGlobalCaller(deps.callers, request);
    const type = await deps.store.repositories.entityTypes.find(request.params.entityTypeId.toLowerCase());
    if (type === undefined) throw ApiError.notFound();
    return { entityType: entityTypeJson(type) };
  });
}
