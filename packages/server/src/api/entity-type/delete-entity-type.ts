import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { entityTypeIdParams } from './entity-type-json.ts';

/**
 * DELETE /api/entity/type/{entityTypeId}: 200 with no body. As in FusionAuth (whose entities reference
 * their type ON DELETE CASCADE), the type's permissions, its entities and their grants go with it.
 */
export function registerDeleteEntityType(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.delete('/entity/type/:entityTypeId', { schema: { params: entityTypeIdParams } }, async (request: FastifyRequest<{ Params: { entityTypeId: string } }>, reply: FastifyReply) => {
    requireGlobalCaller(deps.callers, request);
    if (!(await deps.store.repositories.entityTypes.delete(request.params.entityTypeId.toLowerCase()))) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
