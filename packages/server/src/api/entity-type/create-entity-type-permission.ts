import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createPermission } from '../../entities/entity-type-permissions.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { entityTypeIdParams, permissionBody, permissionIdParams, permissionJson } from './entity-type-json.ts';

type Request = FastifyRequest<{ Body: { permission: unknown }; Params: { entityTypeId: string; permissionId?: string } }>;

/** POST /api/entity/type/{entityTypeId}/permission[/{permissionId}] → `{"permission": {...}}`; 404 for an unknown type. */
export function registerCreateEntityTypePermission(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const permission = await deps.store.transaction(async (repositories) => {
      const type = await repositories.entityTypes.find(request.params.entityTypeId.toLowerCase());
      return type && createPermission(repositories, type, request.params.permissionId?.toLowerCase(), request.body.permission, deps.now());
    });
    if (permission === undefined) throw ApiError.notFound();
    return { permission: permissionJson(permission) };
  };
  app.post('/entity/type/:entityTypeId/permission', { schema: { body: permissionBody, params: entityTypeIdParams } }, handler);
  app.post('/entity/type/:entityTypeId/permission/:permissionId', { schema: { body: permissionBody, params: permissionIdParams } }, handler);
}
