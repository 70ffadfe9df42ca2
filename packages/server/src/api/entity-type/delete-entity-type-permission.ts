import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { entityTypeIdParams, permissionIdParams } from './entity-type-json.ts';

const byNameQuery = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 191 } } } as const;

/**
 * DELETE /api/entity/type/{entityTypeId}/permission/{permissionId}, or .../permission?name={name} (exact
 * name): 200 with no body. Grants on the type's entities lose the permission.
 */
export function registerDeleteEntityTypePermission(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const remove = async (request: FastifyRequest, reply: FastifyReply, entityTypeId: string, permission: { id: string } | { name: string }) => {
    requireGlobalCaller(deps.callers, request);
    const deleted = await deps.store.transaction((repositories) => repositories.entityTypes.deletePermission(entityTypeId.toLowerCase(), permission));
    if (!deleted) throw ApiError.notFound();
    return reply.code(200).send();
  };
  app.delete('/entity/type/:entityTypeId/permission/:permissionId', { schema: { params: permissionIdParams } }, (request: FastifyRequest<{ Params: { entityTypeId: string; permissionId: string } }>, reply) =>
    remove(request, reply, request.params.entityTypeId, { id: request.params.permissionId.toLowerCase() }),
  );
  app.delete('/entity/type/:entityTypeId/permission', { schema: { params: entityTypeIdParams, querystring: byNameQuery } }, (request: FastifyRequest<{ Params: { entityTypeId: string }; Querystring: { name: string } }>, reply) =>
    remove(request, reply, request.params.entityTypeId, { name: request.query.name }),
  );
}
