import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { markEmailVerified, verifyEmailWithId } from '../../identity/users/email-verification.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { findVisibleUser } from './visible-user.ts';

const body = {
  type: 'object',
  properties: {
    verificationId: { type: 'string', maxLength: 255 },
    oneTimeCode: { type: 'string', maxLength: 255 },
    userId: { type: 'string', format: 'uuid' },
  },
} as const;

const params = { type: 'object', required: ['verificationId'], properties: { verificationId: { type: 'string', maxLength: 255 } } } as const;

interface Route {
  Body: { verificationId?: string; userId?: string } | undefined;
}

/**
 * POST /api/user/verify-email[/{verificationId}]: with a `verificationId` (body, else URL; no API key) marks
 * the email it was issued for verified and uses the id up (404 when unknown, expired, used, or the email
 * changed since); with `{userId}` and an API key, verifies administratively (404 for no such user).
 * 200 with no body. `oneTimeCode` (FusionAuth's FormField strategy) is not needed: ids are ClickableLink ids.
 */
export function registerVerifyEmail(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const withId = async (verificationId: string, reply: FastifyReply) => {
    const now = deps.now();
    const verified = await deps.store.transaction((repositories) => verifyEmailWithId(repositories, verificationId, now));
    if (verified === undefined) throw ApiError.notFound();
    return reply.send();
  };

  const handler = async (request: FastifyRequest<Route>, reply: FastifyReply) => {
    const input = request.body ?? {};
    if (input.verificationId !== undefined && input.verificationId !== '') return withId(input.verificationId, reply);
    if (input.userId === undefined) throw ApiError.field('verificationId', 'blank', 'You must specify the [verificationId] property.');
    if (deps.callers.find(request) === undefined) throw ApiError.unauthorized();
    const now = deps.now();
    const verified = await deps.store.transaction(async (repositories) => {
      const user = await findVisibleUser(request, deps.callers, repositories.users, input.userId!);
      return user === undefined ? undefined : markEmailVerified(repositories, user, now);
    });
    if (verified === undefined) throw ApiError.notFound();
    return reply.send();
  };
  const config = apiKeyPolicy('optional');
  app.post<Route>('/user/verify-email', { config, schema: { body } }, handler);
  // FusionAuth's client posts this form with an empty text/plain body, which no body schema accepts: an id
  // in a JSON body still wins over the URL's.
  app.post<{ Params: { verificationId: string } }>('/user/verify-email/:verificationId', { config, schema: { params } }, async (request, reply) => {
    const sent: unknown = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>)['verificationId'] : undefined;
    return withId(typeof sent === 'string' && sent !== '' ? sent : request.params.verificationId, reply);
  });
}
