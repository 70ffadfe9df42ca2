import type { FastifyInstance } from 'fastify';
import { findEntityInScope } from '../../entities/entities.ts';
import { grantRecipient } from '../../entities/entity-grants.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { entityIdParams, recipientQuery } from './entity-json.ts';
import { dropAbsentQueryValues } from './query-parameters.ts';

type Route = { Params: { entityId: string }; Querystring: { userId?: string; recipientEntityId?: string } };

/** DELETE /api/entity/{entityId}/grant?userId=|?recipientEntityId=: 200 with no body; `[invalid]grant` when neither is named. */
export function registerDeleteEntityGrant(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.delete<Route>('/entity/:entityId/grant', { schema: { params: entityIdParams, querystring: recipientQuery }, preValidation: dropAbsentQueryValues }, async (request, reply) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const recipient = grantRecipient(request.query);
    const deleted = await deps.store.transaction(async (repositories) => {
      const target = await findEntityInScope(repositories, request.params.entityId, scope);
      if (target === undefined) return false;
      if (recipient === undefined) throw ApiError.field('grant', 'invalid', 'Name the grant to delete with ?userId= or ?recipientEntityId=.');
      return repositories.entityGrants.delete(target.id, recipient);
    });
    if (!deleted) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
