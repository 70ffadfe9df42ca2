import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createEntityType } from '../../entities/entity-types.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { entityTypeBody, entityTypeIdParams, entityTypeJson } from './entity-type-json.ts';

type Request = FastifyRequest<{ Body: { entityType: unknown }; Params: { entityTypeId?: string } }>;

/** POST /api/entity/type[/{entityTypeId}] → `{"entityType": {...}}`. Entity types are global: unscoped keys only. */
export function registerCreateEntityType(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const id = request.params.entityTypeId?.toLowerCase();
    const type = await deps.store.transaction((repositories) => createEntityType(repositories, id, request.body.entityType, deps.now()));
    return { entityType: entityTypeJson(type) };
  };
  app.post('/entity/type', { schema: { body: entityTypeBody } }, handler);
  app.post('/entity/type/:entityTypeId', { schema: { body: entityTypeBody, params: entityTypeIdParams } }, handler);
}
