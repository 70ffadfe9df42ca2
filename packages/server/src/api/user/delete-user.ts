import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { setUserActive } from '../../identity/users/users.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { userIdParams } from './user-json.ts';
import { findVisibleUser } from './visible-user.ts';

const deleteQuery = { type: 'object', properties: { hardDelete: { type: 'boolean' } } } as const;

interface Route {
  Params: { userId: string };
  Querystring: { hardDelete?: boolean };
  Body: { hardDelete?: unknown } | undefined;
}

type Request = FastifyRequest<Route>;

/**
 * DELETE /api/user/{userId}: deactivates (FusionAuth's soft delete) unless `?hardDelete=true` or a body
 * `{"hardDelete": true}` (deleteUserWithRequest) asks to remove the user and everything hanging off it.
 */
export function registerDeleteUser(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.delete<Route>('/user/:userId', { schema: { params: userIdParams, querystring: deleteQuery } }, async (request: Request, reply: FastifyReply) => {
    const hard = request.query.hardDelete === true || request.body?.hardDelete === true;
    const found = await deps.store.transaction(async (repositories) => {
      const user = await findVisibleUser(request, deps.callers, repositories.users, request.params.userId);
      if (user === undefined) return false;
      if (hard) return repositories.users.delete(user.id);
      await setUserActive(repositories, user, false, deps.now());
      return true;
    });
    if (!found) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
