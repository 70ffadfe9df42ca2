import type { FastifyInstance } from 'fastify';
import { findEntityInScope } from '../../entities/entities.ts';
import { grantRecipient } from '../../entities/entity-grants.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { entityIdParams, entityJson, grantJson, recipientQuery } from './entity-json.ts';
import { dropAbsentQueryValues } from './query-parameters.ts';

type Route = { Params: { entityId: string }; Querystring: { userId?: string; recipientEntityId?: string } };

/**
 * GET /api/entity/{entityId}/grant → `{"grants": [...]}` (every grant on the entity), or with `?userId=`
 * or `?recipientEntityId=` → `{"grant": {...}}` (404 when that recipient holds none).
 */
export function registerRetrieveEntityGrants(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  app.get<Route>('/entity/:entityId/grant', { schema: { params: entityIdParams, querystring: recipientQuery }, preValidation: dropAbsentQueryValues }, async (request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const repositories = deps.store.repositories;
    const target = await findEntityInScope(repositories, request.params.entityId, scope);
    if (target === undefined) throw ApiError.notFound();
    const targetJson = entityJson(target, deps.keyRing);
    const recipient = grantRecipient(request.query);
    if (recipient === undefined) return { grants: (await repositories.entityGrants.listByTarget(target.id)).map((grant) => grantJson(grant, targetJson)) };
    const grant = await repositories.entityGrants.find(target.id, recipient);
    if (grant === undefined) throw ApiError.notFound();
    return { grant: grantJson(grant, targetJson) };
  });
}
