import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deleteEntity } from '../../entities/entities.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { entityIdParams } from './entity-json.ts';

/** DELETE /api/entity/{entityId}: 200 with no body; its grants (as target or recipient) and child entities go too. */
export function registerDeleteEntity(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.delete('/entity/:entityId', { schema: { params: entityIdParams } }, async (request: FastifyRequest<{ Params: { entityId: string } }>, reply: FastifyReply) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    if (!(await deps.store.transaction((repositories) => deleteEntity(repositories, request.params.entityId, scope)))) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
