import type { EventBus } from '../../events/event-bus.ts';
import { eventInfo } from '../../events/event-catalogue.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verificationIdForNewUser } from '../../identity/users/email-verification.ts';
import { createUser, type CreateUserRequest } from '../../identity/users/users.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { userBody, userIdParams, userJson } from './user-json.ts';

interface Route {
  Body: CreateUserRequest;
  Params: { userId?: string };
}

type Request = FastifyRequest<Route>;

/**
 * POST /api/user[/{userId}]. The tenant comes from the scoped key or X-FusionAuth-TenantId, else
 * `user.tenantId`, else the only tenant. `sendSetPasswordEmail` allows a user without a password; no
 * email is sent yet (Gatehouse has no mail delivery). When the tenant verifies emails, an unverified new
 * user comes with its `emailVerificationId`.
 */
export function registerCreateUser(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number; events: EventBus }) {
  const handler = async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const now = deps.now();
    const created = await deps.store.transaction(async (repositories) => {
      const user = await createUser(repositories, scope, request.params.userId, request.body, now);
      const event = await deps.events.stage(repositories, { type: 'user.create', tenantId: user.tenantId, info: eventInfo(request.ip, request.headers['user-agent']), user });
      return { user, event, emailVerificationId: await verificationIdForNewUser(repositories, user, undefined, now) };
    });
    deps.events.publish(created.event);
    return { user: userJson(created.user), ...(created.emailVerificationId === undefined ? {} : { emailVerificationId: created.emailVerificationId }) };
  };
  app.post<Route>('/user', { schema: { body: userBody } }, handler);
  app.post<Route>('/user/:userId', { schema: { body: userBody, params: userIdParams } }, handler);
}
