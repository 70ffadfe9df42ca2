import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createEntity, validateEntity } from '../../entities/entities.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId, requireTenantId } from '../tenant-scope.ts';
import { entityBody, entityIdParams, entityJson } from './entity-json.ts';

type Request = FastifyRequest<{ Body: { entity: unknown }; Params: { entityId?: string } }>;

/**
 * POST /api/entity[/{entityId}] → `{"entity": {...}}` with its client secret. The tenant is
 * `entity.tenantId`, else the request's scope (tenant-scoped key or X-FusionAuth-TenantId), else the only
 * tenant (`[TenantIdRequired]` with several).
 */
export function registerCreateEntity(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    const caller = deps.callers.get(request);
    const scope = requestTenantId(request, caller);
    const input = validateEntity(request.body.entity);
    if (input.tenantId !== undefined && scope !== undefined && input.tenantId !== scope) {
      throw ApiError.field('entity.tenantId', 'invalid', 'The entity must belong to the tenant this request is limited to.');
    }
    const entity = await deps.store.transaction(async (repositories) => {
      const tenantId = input.tenantId ?? (await requireTenantId(request, caller, repositories.tenants));
      return createEntity(repositories, deps.keyRing, { id: request.params.entityId?.toLowerCase(), tenantId, input }, deps.now());
    });
    return { entity: entityJson(entity, deps.keyRing) };
  };
  app.post('/entity', { schema: { body: entityBody } }, handler);
  app.post('/entity/:entityId', { schema: { body: entityBody, params: entityIdParams } }, handler);
}
