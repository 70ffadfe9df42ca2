import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../../identity/login/authenticate.ts';
import { signLoginToken } from '../../identity/login/login-tokens.ts';
import { loginRequestSchema, type LoginRequest } from '../../identity/login/login-request.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { Store } from '../../store/store.ts';
import { createValidator } from '../../validation/validator.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { userJson } from '../user/user-json.ts';

const validateLogin = createValidator<LoginRequest>(loginRequestSchema, '');

export interface LoginDeps {
  readonly store: Store;
  readonly signingKeys: SigningKeys;
  readonly callers: ApiCallers;
  readonly now: () => number;
}

/**
 * POST /api/login, FusionAuth's Login API: 200 (registered), 202 (authenticated, not registered to
 * `applicationId`), 203 (password change required), 404 (no such user or wrong password, empty body),
 * 410 (expired), 423 (locked by the tenant's failed-login policy).
 */
export function registerLogin(app: FastifyInstance, deps: LoginDeps) {
  app.post('/login', { config: apiKeyPolicy('optional'), schema: { body: { type: 'object' } } }, async (request: FastifyRequest, reply: FastifyReply) => {
    const body = validateLogin(request.body);
    const caller = deps.callers.find(request);
    const now = deps.now();
    const outcome = await authenticate(deps.store, body, { withApiKey: caller !== undefined, tenantScope: caller === undefined ? undefined : requestTenantId(request, caller) }, now);
    if (!('user' in outcome)) return reply.code(outcome.status).send();

    const { user, refreshToken } = outcome;
    const token = body.noJWT
      ? undefined
      : await signLoginToken(deps.signingKeys, request, {
          ...outcome,
          authenticationType: 'PASSWORD',
          authTime: Math.floor(now / 1000),
          sessionId: refreshToken?.record.id,
          now,
        });
    const registrations = await deps.store.repositories.registrations.listByUser(user.id);
    return reply.code(outcome.status).send({
      ...(token === undefined ? {} : { token: token.token, tokenExpirationInstant: token.expirationInstant }),
      ...(refreshToken === undefined ? {} : { refreshToken: refreshToken.value, refreshTokenId: refreshToken.record.id }),
      ...(outcome.status === 203 ? { changePasswordReason: 'Administrative' } : {}),
      user: userJson(user, registrations),
    });
  });
}
