import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findEntityInScope } from '../../entities/entities.ts';
import { upsertGrant } from '../../entities/entity-grants.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { entityIdParams } from './entity-json.ts';

// `grant` is not required here: its absence is FusionAuth's `[missing]grant`, reported by the domain.
const grantBody = { type: 'object', properties: { grant: { type: 'object' } } } as const;

/** POST and PUT /api/entity/{entityId}/grant: create or update the recipient's grant on the entity; 200 with no body. */
export function registerUpsertEntityGrant(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: FastifyRequest<{ Body: { grant?: unknown }; Params: { entityId: string } }>, reply: FastifyReply) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const granted = await deps.store.transaction(async (repositories) => {
      const target = await findEntityInScope(repositories, request.params.entityId, scope);
      return target && upsertGrant(repositories, target, request.body.grant, deps.now());
    });
    if (granted === undefined) throw ApiError.notFound();
    return reply.code(200).send();
  };
  const schema = { body: grantBody, params: entityIdParams };
  app.post('/entity/:entityId/grant', { schema }, handler);
  app.put('/entity/:entityId/grant', { schema }, handler);
}
