import type { EventBus } from '../../events/event-bus.ts';
import { eventInfo } from '../../events/event-catalogue.ts';
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
export function registerDeleteUser(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number; events: EventBus }) {
  app.delete<Route>('/user/:userId', { schema: { params: userIdParams, querystring: deleteQuery } }, async (request: Request, reply: FastifyReply) => {
    const hard = request.query.hardDelete === true || request.body?.hardDelete === true;
    const event = await deps.store.transaction(async (repositories) => {
      const user = await findVisibleUser(request, deps.callers, repositories.users, request.params.userId);
      if (user === undefined) return undefined;
      const info = eventInfo(request.ip, request.headers['user-agent']);
      if (hard) return (await repositories.users.delete(user.id)) ? deps.events.stage(repositories, { type: 'user.delete', tenantId: user.tenantId, info, user }) : undefined;
      const deactivated = await setUserActive(repositories, user, false, deps.now());
      return deps.events.stage(repositories, { type: 'user.deactivate', tenantId: user.tenantId, info, user: deactivated });
    });
    if (event === undefined) throw ApiError.notFound();
    deps.events.publish(event);
    return reply.code(200).send();
  });
}
