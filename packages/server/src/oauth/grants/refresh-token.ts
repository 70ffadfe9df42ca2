import { OAuthError } from '../../errors/oauth-error.ts';
import { effectiveJwtConfiguration } from '../../identity/login/token-settings.ts';
import { expiration, findLiveRefreshToken, useRefreshToken, type RefreshUsePolicy } from '../../identity/refresh-tokens.ts';
import { hashRefreshToken } from '../tokens/refresh-token-value.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import type { RefreshTokenRecord } from '../../store/repositories/refresh-token-repository.ts';
import { requireClientAuthentication } from '../client-auth/authenticate-client.ts';
import { requiredParameter } from '../form-parameters.ts';
import { narrowScopes, parseScope } from '../scopes/requested-scopes.ts';
import { issueGrantTokens, tokenResponseBody } from '../tokens/grant-tokens.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { applicationClient, cachedClientTenant } from './grant-client.ts';
import { checkedSubject, grantSubject, type GrantSubject } from './grant-subject.ts';
import type { TokenGrant, TokenGrantDeps } from './token-grant.ts';

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
    const tenant = await cachedClientTenant(deps, client);
    const policy = effectiveJwtConfiguration(tenant, application);
    const tokens = (grant: OAuthGrant, subject: GrantSubject, scopes: readonly string[]) => {
      const context = { tenant, application, ...subject, grant: { ...grant, authenticationType: 'REFRESH_TOKEN' }, scopes, issuer: issuerFor(tenant.settings, request), now };
      return issueGrantTokens(deps.signingKeys, context).then((issued) => ({ issued, context }));
    };

    if (policy.refreshTokenUsagePolicy === 'Reusable') {
      const reused = await reusableRefresh(deps, { presented, requested, applicationId: application.id, policy, now });
      if (reused !== undefined) {
        const { issued, context } = await tokens(reused.grant, reused.subject, reused.scopes);
        return tokenResponseBody(issued, context, undefined);
      }
    }

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
      const used = await useRefreshToken(repositories, live, presented, policy, now);
      if (used === undefined) {
        // Committed before the error is answered: the family dies even though this request fails.
        await repositories.oauthGrants.revoke(record.id, now);
        return undefined;
      }
      return { grant, subject, scopes, used };
    });
    if (refreshed === undefined) throw invalidToken('The refresh token was already used: every token of its grant is now revoked.');

    const { issued, context } = await tokens(refreshed.grant, refreshed.subject, refreshed.scopes);
    // FusionAuth answers a refresh_token only when it changed (OneTimeUse).
    const rotated = refreshed.used.value !== presented ? refreshed.used : undefined;
    return tokenResponseBody(issued, context, rotated);
  },
};

/** Last-use instants are written at most this often under a Fixed policy, so a busy token costs no write per use. */
const lastUseIntervalMillis = 60_000;

/**
 * The Reusable policy's path: one unlocked read of the token with its grant and user, and a write only
 * when the window slides (or the last use is a minute old). Nothing changes the token's value, so
 * concurrent uses need no lock. Anything else — a Login API token to adopt, a rotated-away value, an
 * expired token — returns undefined and takes the locked path, which handles it.
 */
async function reusableRefresh(
  deps: TokenGrantDeps,
  input: { readonly presented: string; readonly requested: readonly string[]; readonly applicationId: string; readonly policy: RefreshUsePolicy; readonly now: number },
): Promise<{ readonly grant: OAuthGrant; readonly subject: GrantSubject; readonly scopes: readonly string[] } | undefined> {
  const { now } = input;
  const presentedHash = hashRefreshToken(input.presented);
  const found = await deps.store.repositories.tokenExchange.findRefreshToken(presentedHash);
  if (found === undefined) throw invalidToken('The refresh token is unknown, expired or revoked.');
  const { record, grant } = found;
  if (grant === undefined || !record.tokenHash.equals(presentedHash) || record.expirationInstant <= now) return undefined;
  if (record.applicationId !== input.applicationId) throw invalidToken('The refresh token was not issued to this client.', 'client_id_mismatch');
  if (grant.revokedInstant !== undefined) throw invalidToken('The authorization behind this refresh token was revoked.');
  const scopes = narrowScopes(grant.scopes, input.requested);
  const subject = checkedSubject(found, grant.applicationId, now);
  const expirationInstant = expiration(input.policy, record.startInstant, now);
  if (expirationInstant !== record.expirationInstant || record.lastUsedInstant === undefined || now - record.lastUsedInstant >= lastUseIntervalMillis) {
    await deps.store.repositories.tokenExchange.recordUse(record.id, expirationInstant, now);
  }
  return { grant, subject, scopes };
}
