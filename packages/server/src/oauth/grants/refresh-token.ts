import { OAuthError } from '../../errors/oauth-error.ts';
import { effectiveJwtConfiguration } from '../../identity/login/token-settings.ts';
import { findLiveRefreshToken, useRefreshToken } from '../../identity/refresh-tokens.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import type { RefreshTokenRecord } from '../../store/repositories/refresh-token-repository.ts';
import { requireClientAuthentication } from '../client-auth/authenticate-client.ts';
import { requiredParameter } from '../form-parameters.ts';
import { narrowScopes, parseScope } from '../scopes/requested-scopes.ts';
import { issueGrantTokens, tokenResponseBody } from '../tokens/grant-tokens.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { applicationClient, clientTenant } from './grant-client.ts';
import { grantSubject } from './grant-subject.ts';
import type { TokenGrant } from './token-grant.ts';

function invalidToken(description: string, reason = 'refresh_token_not_found'): OAuthError {
  return new OAuthError('invalid_grant', description, 400, { reason });
}

/**
 * A refresh token from the Login API has no OAuth grant row. FusionAuth lets the refresh grant use it, so
 * its first use here adopts it: a password grant with the token's id and scopes (`metaData.scopes`, none
 * from the Login API), so the access tokens issued under it name a grant that /oauth2/revoke,
 * introspection and userinfo know.
 */
function loginApiGrant(record: RefreshTokenRecord): OAuthGrant {
  const scopes = record.metaData['scopes'];
  return {
    id: record.id,
    tenantId: record.tenantId,
    userId: record.userId,
    applicationId: record.applicationId ?? '',
    sessionId: undefined,
    grantType: 'password',
    scopes: Array.isArray(scopes) ? scopes.filter((scope): scope is string => typeof scope === 'string') : [],
    authenticationType: 'PASSWORD',
    authenticatedInstant: record.startInstant,
    insertInstant: record.insertInstant,
    revokedInstant: undefined,
  };
}

/**
 * grant_type=refresh_token (RFC 6749 §6). The token must be live, issued to this client (RT-03) and its
 * grant not revoked. `scope` may narrow the grant's scopes, never widen them; the token keeps the
 * original set. The application's refresh policy applies as in /api/jwt/refresh (identity/refresh-tokens.ts):
 * sliding windows, and under OneTimeUse a new value per use (same id, so `sid` stays) with FusionAuth's
 * grace period. Presenting a rotated-away value after the grace period is a reuse (RFC 9700 §4.14.2): the
 * whole grant is revoked, the current refresh token and every access token of the family with it.
 * The ID token keeps iss, sub, aud and the original auth_time, without nonce (OIDC Core §12.2).
 */
export const refreshTokenGrant: TokenGrant = {
  grantType: 'refresh_token',
  async exchange(deps, request) {
    const { parameters, now } = request;
    const client = await applicationClient(deps, request, 'refresh_token');
    // FusionAuth: NotRequiredWhenUsingPKCE only spares the authorization code exchange (fusionauth-issues#1653).
    requireClientAuthentication(client, false);
    const { application } = client;
    const presented = requiredParameter(parameters, 'refresh_token');
    const requested = parseScope(parameters.get('scope'));

    const refreshed = await deps.store.transaction(async (repositories) => {
      const live = await findLiveRefreshToken(repositories, presented, now);
      if (live === undefined) throw invalidToken('The refresh token is unknown, expired or revoked.');
      const { record } = live;
      if (record.applicationId !== application.id) throw invalidToken('The refresh token was not issued to this client.', 'client_id_mismatch');
      let grant = await repositories.oauthGrants.find(record.id);
      if (grant === undefined) {
        grant = loginApiGrant(record);
        await repositories.oauthGrants.insert(grant);
      }
      if (grant.revokedInstant !== undefined) throw invalidToken('The authorization behind this refresh token was revoked.');
      const scopes = narrowScopes(grant.scopes, requested);
      const subject = await grantSubject(repositories, grant, now);
      const tenant = await clientTenant(repositories, client);
      const used = await useRefreshToken(repositories, live, presented, effectiveJwtConfiguration(tenant, application), now);
      if (used === undefined) {
        // Committed before the error is answered: the family dies even though this request fails.
        await repositories.oauthGrants.revoke(record.id, now);
        return undefined;
      }
      return { grant, subject, tenant, scopes, used };
    });
    if (refreshed === undefined) throw invalidToken('The refresh token was already used: every token of its grant is now revoked.');

    const { grant, subject, tenant, scopes, used } = refreshed;
    const context = {
      tenant,
      application,
      ...subject,
      grant: { ...grant, authenticationType: 'REFRESH_TOKEN' },
      scopes,
      issuer: issuerFor(tenant.settings, request),
      now,
    };
    // FusionAuth answers a refresh_token only when it changed (OneTimeUse).
    const rotated = used.value !== presented ? used : undefined;
    return tokenResponseBody(await issueGrantTokens(deps.signingKeys, context), context, rotated);
  },
};
