import { randomUUID } from 'node:crypto';
import { OAuthError } from '../../errors/oauth-error.ts';
import { checkCredentials, type CredentialsRefused } from '../../identity/login/check-credentials.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import { applicationScopesByName } from '../../tenancy/application-scopes.ts';
import { requireClientAuthentication } from '../client-auth/authenticate-client.ts';
import { requiredParameter, type OAuthParameters } from '../form-parameters.ts';
import { parseScope, resolveScopes } from '../scopes/requested-scopes.ts';
import { issueGrantTokens, tokenResponseBody } from '../tokens/grant-tokens.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { applicationClient } from './grant-client.ts';
import { offlineRefreshToken } from './offline-refresh-token.ts';
import type { TokenGrant } from './token-grant.ts';

/** The Login API's refusals as FusionAuth's password grant words them (error_reason). */
function refused(outcome: CredentialsRefused): OAuthError {
  switch (outcome.status) {
    case 404:
      return new OAuthError('invalid_grant', 'The username or password is not valid.', 400, { reason: 'invalid_user_credentials' });
    case 409:
      return new OAuthError('invalid_grant', 'An action taken on this user prevents login.', 400, { reason: 'login_prevented' });
    case 410:
      return new OAuthError('invalid_grant', 'The user has expired.', 400, { reason: 'user_expired' });
    case 423:
      return new OAuthError('invalid_grant', 'The user is locked after too many failed logins.', 400, { reason: 'user_locked' });
  }
}

/** FusionAuth's `metaData.device.{name,description,type}` parameters: they label the refresh token. */
function deviceOf(parameters: OAuthParameters): Record<string, string> {
  const device: Record<string, string> = {};
  for (const field of ['name', 'description', 'type']) {
    const value = parameters.get(`metaData.device.${field}`);
    if (value !== undefined) device[field] = value.slice(0, 255);
  }
  return device;
}

/**
 * grant_type=password (RFC 6749 §4.3): `username` is an email or username of the application's tenant,
 * checked by the Login API's own logic (lockout, user actions, expiry, hash upgrade). Each success is a
 * new grant without an SSO session; `offline_access` brings a refresh token. requireRegistration does not
 * apply (FusionAuth: it concerns the authorization code and implicit grants only): a user who is not
 * registered gets tokens without roles.
 */
export const passwordGrant: TokenGrant = {
  grantType: 'password',
  async exchange(deps, request) {
    const { parameters, now } = request;
    const client = await applicationClient(deps, request, 'password');
    requireClientAuthentication(client, false);
    const { application } = client;
    const username = requiredParameter(parameters, 'username');
    const password = requiredParameter(parameters, 'password');
    const requested = parseScope(parameters.get('scope'));
    const scopes = resolveScopes(application, await applicationScopesByName(deps.store.repositories, application.id), requested);

    const checked = await checkCredentials(deps.store, username, password, application.tenantId, now);
    if (checked.status !== 'accepted') throw refused(checked);
    const { user, tenant, registrations } = checked.candidate;
    if (user.passwordChangeRequired) {
      throw new OAuthError('invalid_grant', 'The user must change their password before logging in.', 400, { reason: 'change_password_administrative' });
    }
    const grant: OAuthGrant = {
      id: randomUUID(),
      tenantId: user.tenantId,
      userId: user.id,
      applicationId: application.id,
      sessionId: undefined,
      grantType: 'password',
      scopes,
      authenticationType: 'PASSWORD',
      authenticatedInstant: now,
      insertInstant: now,
      revokedInstant: undefined,
    };
    const registration = registrations.find((candidate) => candidate.applicationId === application.id);
    const refreshToken = offlineRefreshToken(tenant, application, grant, deviceOf(parameters), now);
    await deps.store.transaction(async (repositories) => {
      await repositories.oauthGrants.insert(grant);
      await repositories.logins.recordSuccess({
        userId: user.id,
        applicationId: registration?.applicationId,
        instant: now,
        upgradedPassword: checked.upgradedPassword,
        clearFailures: checked.clearFailures,
        refreshToken: refreshToken?.record,
      });
    });

    const loggedIn = { ...user, lastLoginInstant: now };
    const context = { tenant, application, user: loggedIn, registration, grant, scopes, issuer: issuerFor(tenant.settings, request), now };
    return tokenResponseBody(await issueGrantTokens(deps.signingKeys, context), context, refreshToken);
  },
};
