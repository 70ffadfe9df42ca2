import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { setUserActionActive } from '../../identity/user-actions/user-actions.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { userActionIdParams } from './user-action-json.ts';

const deleteQuery = { type: 'object', properties: { hardDelete: { type: 'boolean' } } } as const;

type Request = FastifyRequest<{ Params: { userActionId: string }; Querystring: { hardDelete?: boolean } }>;

/**
 * DELETE /api/user-action/{id}: deactivates (FusionAuth's soft delete: it can no longer be taken, actions
 * already taken stay in force); `?hardDelete=true` removes it with every time it was taken. 200, no body.
 */
export function registerDeleteUserAction(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.delete('/user-action/:userActionId', { schema: { params: userActionIdParams, querystring: deleteQuery } }, async (request: Request, reply: FastifyReply) => {
    requireGlobalCaller(deps.callers, request);
    const id = request.params.userActionId.toLowerCase();
    const found = await deps.store.transaction(async (repositories) =>
      request.query.hardDelete === true ? repositories.userActions.delete(id) : (await setUserActionActive(repositories, id, false, deps.now())) !== undefined,
    );
    if (!found) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
