import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { signLoginToken } from '../../identity/login/login-tokens.ts';
import { effectiveJwtConfiguration } from '../../identity/login/token-settings.ts';
import { findLiveRefreshToken, useRefreshToken } from '../../identity/refresh-tokens.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { Store } from '../../store/store.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { refreshTokenCookie } from './request-credentials.ts';

const body = {
  type: 'object',
  properties: { refreshToken: { type: 'string', maxLength: 512 }, token: { type: 'string', maxLength: 16_384 } },
} as const;

/**
 * POST /api/jwt/refresh: a new JWT for a live refresh token (body or `refresh_token` cookie) of an
 * application that allows token refresh. Under OneTimeUse the refresh token rotates (same id); the value
 * it replaced still answers, with the current value, during the grace period.
 * Unknown, expired or revoked tokens and users who can no longer log in answer 404.
 */
export function registerExchangeRefreshToken(app: FastifyInstance, deps: { store: Store; signingKeys: SigningKeys; now: () => number }) {
  app.post('/jwt/refresh', { config: apiKeyPolicy('none'), schema: { body } }, async (request: FastifyRequest<{ Body: { refreshToken?: string } }>, reply: FastifyReply) => {
    const presented = request.body.refreshToken ?? refreshTokenCookie(request);
    if (presented === undefined || presented === '') throw ApiError.field('refreshToken', 'blank', 'Send the refresh token in [refreshToken] or the refresh_token cookie.');
    const now = deps.now();
    const exchanged = await deps.store.transaction(async (repositories) => {
      const live = await findLiveRefreshToken(repositories, presented, now);
      if (live === undefined) return undefined;
      const { record } = live;
      const user = await repositories.users.find(record.userId);
      const tenant = await repositories.tenants.find(record.tenantId);
      const application = record.applicationId === undefined ? undefined : await repositories.applications.find(record.applicationId);
      const registration = application === undefined ? undefined : await repositories.registrations.find(record.userId, application.id);
      if (user === undefined || !user.active || (user.expiry !== undefined && user.expiry <= now) || tenant === undefined) return undefined;
      if (application === undefined || !application.active || registration === undefined) return undefined;
      if (!application.settings.loginConfiguration.allowTokenRefresh) {
        throw ApiError.general('RefreshNotAllowed', 'The application does not allow token refresh (loginConfiguration.allowTokenRefresh).');
      }
      const used = await useRefreshToken(repositories, live, presented, effectiveJwtConfiguration(tenant, application), now);
      return used === undefined ? undefined : { used, user, tenant, application, registration };
    });
    if (exchanged === undefined) return reply.code(404).send();
    const token = await signLoginToken(deps.signingKeys, request, {
      ...exchanged,
      authenticationType: 'REFRESH_TOKEN',
      authTime: Math.floor(exchanged.used.record.startInstant / 1000),
      sessionId: exchanged.used.record.id,
      now,
    });
    return { token: token.token, refreshToken: exchanged.used.value, refreshTokenId: exchanged.used.record.id };
  });
}
