import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { createRegistration } from '../../identity/registrations/registrations.ts';
import { createUser } from '../../identity/users/users.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { userJson } from '../user/user-json.ts';
import { findVisibleUser } from '../user/visible-user.ts';
import { registrationJson } from './registration-json.ts';

interface Route {
  Body: { registration: unknown; user?: unknown; sendSetPasswordEmail?: unknown; skipVerification?: unknown };
  Params: { userId?: string };
}

const body = {
  type: 'object',
  required: ['registration'],
  properties: { registration: { type: 'object' }, user: { type: 'object' } },
} as const;

/**
 * POST /api/user/registration[/{userId}]: registers an existing user, or, with `user` in the body,
 * creates the user and the registration together (one transaction: both or neither).
 */
export function registerCreateRegistration(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: FastifyRequest<Route>) => {
    const { userId } = request.params;
    const scope = requestTenantId(request, deps.callers.get(request));
    const created = await deps.store.transaction(async (repositories) => {
      const now = deps.now();
      let user;
      if (request.body.user !== undefined) {
        user = await createUser(repositories, scope, userId, request.body, now);
      } else {
        if (userId === undefined) throw ApiError.field('userId', 'missing', 'Send the user id in the URL, or a user to create in the body.');
        user = await findVisibleUser(request, deps.callers, repositories.users, userId);
        if (user === undefined) throw ApiError.notFound();
      }
      const registration = await createRegistration(repositories, user, request.body.registration, now);
      return { user, registrations: await repositories.registrations.listByUser(user.id), registration };
    });
    return { registration: registrationJson(created.registration), user: userJson(created.user, created.registrations) };
  };
  const params = { type: 'object', properties: { userId: { type: 'string', format: 'uuid' } } } as const;
  app.post<Route>('/user/registration', { schema: { body } }, handler);
  app.post<Route>('/user/registration/:userId', { schema: { body, params } }, handler);
}
