import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findEntityInScope } from '../../entities/entities.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { entityIdParams, entityJson } from './entity-json.ts';

/** GET /api/entity/{entityId} → `{"entity": {...}}`; 404 outside the caller's tenant. */
export function registerRetrieveEntity(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  app.get('/entity/:entityId', { schema: { params: entityIdParams } }, async (request: FastifyRequest<{ Params: { entityId: string } }>) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const entity = await findEntityInScope(deps.store.repositories, request.params.entityId, scope);
    if (entity === undefined) throw ApiError.notFound();
    return { entity: entityJson(entity, deps.keyRing) };
  });
}
