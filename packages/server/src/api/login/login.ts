import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus } from '../../events/event-bus.ts';
import { eventInfo } from '../../events/event-catalogue.ts';
import { authenticate } from '../../identity/login/authenticate.ts';
import { signLoginToken } from '../../identity/login/login-tokens.ts';
import { loginRequestSchema, type LoginRequest } from '../../identity/login/login-request.ts';
import { issueChangePasswordId } from '../../identity/passwords/change-password-ids.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import type { Store } from '../../store/store.ts';
import { createValidator } from '../../validation/validator.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { loginPreventedJson } from '../actioning/action-json.ts';
import { userJson } from '../user/user-json.ts';

const validateLogin = createValidator<LoginRequest>(loginRequestSchema, '');

export interface LoginDeps {
  readonly store: Store;
  readonly settings: SettingsCache;
  readonly signingKeys: SigningKeys;
  readonly callers: ApiCallers;
  readonly now: () => number;
  readonly events: EventBus;
}

/**
 * POST /api/login, FusionAuth's Login API: 200 (registered), 202 (authenticated, not registered to
 * `applicationId`), 203 (password change required), 404 (no such user or wrong password, empty body),
 * 409 (a user action prevents login: `{"actions": [...]}`), 410 (expired), 423 (locked by the tenant's
 * failed-login policy).
 */
export function registerLogin(app: FastifyInstance, deps: LoginDeps) {
  app.post('/login', { config: apiKeyPolicy('optional'), schema: { body: { type: 'object' } } }, async (request: FastifyRequest, reply: FastifyReply) => {
    const body = validateLogin(request.body);
    const caller = deps.callers.find(request);
    const now = deps.now();
    const outcome = await authenticate(deps, body, { withApiKey: caller !== undefined, tenantScope: caller === undefined ? undefined : requestTenantId(request, caller) }, now);
    // FusionAuth's `ipAddress` in the body names the end user's address when a backend calls for them.
    const ipAddress = body.ipAddress ?? request.ip;
    const info = eventInfo(ipAddress, request.headers['user-agent']);
    if (!('user' in outcome)) {
      // Only a wrong password for a known user is an event; an unknown login id is not (as in FusionAuth).
      const failedUser = 'wrongPasswordOf' in outcome ? outcome.wrongPasswordOf : undefined;
      if (failedUser !== undefined) {
        await deps.events.emit({
          type: 'user.login.failed',
          tenantId: failedUser.tenantId,
          ...(body.applicationId === undefined ? {} : { applicationId: body.applicationId }),
          authenticationType: 'PASSWORD',
          ipAddress,
          info,
          reason: { code: 'credentials' },
          user: failedUser,
        });
      }
      return reply.code(outcome.status).send('actions' in outcome ? { actions: outcome.actions.map(loginPreventedJson) } : undefined);
    }

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
    const changePasswordId = outcome.status === 203 ? await issueChangePasswordId(deps.store.repositories, outcome.tenant, user, { applicationId: outcome.application?.id }, now) : undefined;
    await deps.events.emit({ type: 'user.login.success', tenantId: user.tenantId, ...(outcome.application === undefined ? {} : { applicationId: outcome.application.id }), authenticationType: 'PASSWORD', ipAddress, info, user });
    return reply.code(outcome.status).send({
      ...(token === undefined ? {} : { token: token.token, tokenExpirationInstant: token.expirationInstant }),
      ...(refreshToken === undefined ? {} : { refreshToken: refreshToken.value, refreshTokenId: refreshToken.record.id }),
      ...(changePasswordId === undefined ? {} : { changePasswordId, changePasswordReason: 'Administrative' }),
      user: userJson(user, outcome.registrations),
    });
  });
}
