import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hashRefreshToken } from '../../oauth/tokens/refresh-token-value.ts';
import type { Store } from '../../store/store.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { refreshTokenCookie } from '../jwt/request-credentials.ts';

interface Logout {
  readonly global?: unknown;
  readonly refreshToken?: unknown;
}

/**
 * POST /api/logout: revokes the presented refresh token (body, query or `refresh_token` cookie), or with
 * `global` every refresh token of its user. Always 200: a logout never reveals whether a token existed.
 */
export function registerLogout(app: FastifyInstance, deps: { store: Store }) {
  app.post('/logout', { config: apiKeyPolicy('none') }, async (request: FastifyRequest, reply: FastifyReply) => {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Logout;
    const query = request.query as Logout;
    const token = [body.refreshToken, query.refreshToken, refreshTokenCookie(request)].find((value): value is string => typeof value === 'string' && value !== '');
    const global = body.global === true || query.global === 'true';
    if (token !== undefined) {
      await deps.store.transaction(async (repositories) => {
        const record = await repositories.refreshTokens.findByHashForUpdate(hashRefreshToken(token));
        if (record === undefined) return;
        await repositories.refreshTokens.delete(global ? { userId: record.userId } : { id: record.id });
      });
    }
    return reply.code(200).send();
  });
}
