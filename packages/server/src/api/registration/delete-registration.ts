import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { findVisibleUser } from '../user/visible-user.ts';
import { registrationParams } from './registration-json.ts';

type Request = FastifyRequest<{ Params: { userId: string; applicationId: string } }>;

/** DELETE /api/user/registration/{userId}/{applicationId}: also revokes the user's refresh tokens for that application. */
export function registerDeleteRegistration(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.delete('/user/registration/:userId/:applicationId', { schema: { params: registrationParams } }, async (request: Request, reply: FastifyReply) => {
    const deleted = await deps.store.transaction(async (repositories) => {
      const user = await findVisibleUser(request, deps.callers, repositories.users, request.params.userId);
      if (user === undefined) return false;
      const removed = await repositories.registrations.delete(user.id, request.params.applicationId);
      if (removed) await repositories.refreshTokens.delete({ userId: user.id, applicationId: request.params.applicationId });
      return removed;
    });
    if (!deleted) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
