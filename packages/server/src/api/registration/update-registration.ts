import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { updateRegistration } from '../../identity/registrations/registrations.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { userIdParams } from '../user/user-json.ts';
import { findVisibleUser } from '../user/visible-user.ts';
import { registrationJson } from './registration-json.ts';

type Request = FastifyRequest<{ Body: { registration: unknown }; Params: { userId: string } }>;

const body = { type: 'object', required: ['registration'], properties: { registration: { type: 'object' } } } as const;

/** PUT (replace) and PATCH (merge) /api/user/registration/{userId}; `registration.applicationId` names which. */
export function registerUpdateRegistration(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (mode: 'replace' | 'merge') => async (request: Request) => {
    const registration = await deps.store.transaction(async (repositories) => {
      const user = await findVisibleUser(request, deps.callers, repositories.users, request.params.userId);
      if (user === undefined) return undefined;
      return updateRegistration(repositories, user, request.body.registration, mode, deps.now());
    });
    if (registration === undefined) throw ApiError.notFound();
    return { registration: registrationJson(registration) };
  };
  app.put('/user/registration/:userId', { schema: { body, params: userIdParams } }, handler('replace'));
  app.patch('/user/registration/:userId', { schema: { body, params: userIdParams } }, handler('merge'));
}
