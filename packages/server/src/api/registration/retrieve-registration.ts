import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { findVisibleUser } from '../user/visible-user.ts';
import { registrationJson, registrationParams } from './registration-json.ts';

type Request = FastifyRequest<{ Params: { userId: string; applicationId: string } }>;

/** GET /api/user/registration/{userId}/{applicationId}. */
export function registerRetrieveRegistration(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/user/registration/:userId/:applicationId', { schema: { params: registrationParams } }, async (request: Request) => {
    const { repositories } = deps.store;
    const user = await findVisibleUser(request, deps.callers, repositories.users, request.params.userId);
    const registration = user === undefined ? undefined : await repositories.registrations.find(user.id, request.params.applicationId);
    if (registration === undefined) throw ApiError.notFound();
    return { registration: registrationJson(registration) };
  });
}
