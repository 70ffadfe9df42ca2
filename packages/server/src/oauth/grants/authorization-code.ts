import { OAuthError } from '../../errors/oauth-error.ts';
import type { OAuthGrantRepository } from '../../store/repositories/oauth-grant-repository.ts';
import { requireClientAuthentication } from '../client-auth/authenticate-client.ts';
import { requiredParameter } from '../form-parameters.ts';
import { requirePkcePolicy, verifyCodeVerifier } from '../pkce.ts';
import { hashAuthorizationCode } from '../tokens/authorization-code-value.ts';
import { issueGrantTokens, tokenResponseBody } from '../tokens/grant-tokens.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { applicationClient, cachedClientTenant } from './grant-client.ts';
import { checkedSubject } from './grant-subject.ts';
import { offlineRefreshToken } from './offline-refresh-token.ts';
import type { TokenGrant } from './token-grant.ts';

function invalidCode(description: string, reason = 'auth_code_not_found'): OAuthError {
  return new OAuthError('invalid_grant', description, 400, { reason });
}

/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5), in two statements: the code is read
 * with its grant and user, every check is made, and only then is it redeemed, together with storing the
 * refresh token, by a statement that acts only on an unconsumed code. A request refused by a check
 * (another client's code, another redirect_uri, a wrong verifier) leaves the code redeemable by its own
 * client; of two concurrent redemptions exactly one wins (CODE-04). A code presented again after a
 * redemption revokes its grant — the refresh token and, through `sid`, the access tokens issued from it
 * (RFC 6749 §4.1.2, CODE-03).
 */
export const authorizationCodeGrant: TokenGrant = {
  grantType: 'authorization_code',
  async exchange(deps, request) {
    const { parameters, now } = request;
    const client = await applicationClient(deps, request, 'authorization_code');
    const { application } = client;
    const code = requiredParameter(parameters, 'code');
    const redirectUri = requiredParameter(parameters, 'redirect_uri');
    const verifier = parameters.get('code_verifier');
    // Without a secret and without a verifier the policy's answer is known before the code is touched.
    if (client.method === 'none' && verifier === undefined) requireClientAuthentication(client, false);

    const codeHash = hashAuthorizationCode(code);
    const { tokenExchange, oauthGrants } = deps.store.repositories;
    const found = await tokenExchange.findCode(codeHash);
    if (found === undefined) throw invalidCode('The authorization code is unknown.');
    const { code: stored, grant } = found;
    if (grant === undefined) throw invalidCode('The authorization code is unknown.');
    if (stored.consumedInstant !== undefined) throw await replayed(oauthGrants, grant.id, now);
    if (grant.applicationId !== application.id) throw invalidCode('The authorization code was not issued to this client.', 'client_id_mismatch');
    if (stored.expirationInstant <= now) throw invalidCode('The authorization code has expired.');
    if (grant.revokedInstant !== undefined) throw invalidCode('The authorization behind this code was revoked.');
    // RFC 6749 §4.1.3: identical to the redirect_uri of the authorization request.
    if (redirectUri !== stored.redirectUri) throw invalidCode('The redirect_uri differs from the one of the authorization request.', 'invalid_redirect_uri');
    const usedPkce = verifyCodeVerifier(stored, verifier);
    requireClientAuthentication(client, usedPkce);
    requirePkcePolicy(application.settings.oauthConfiguration.proofKeyForCodeExchangePolicy, client.method !== 'none', usedPkce);
    const subject = checkedSubject(found, grant.applicationId, now);
    const tenant = await cachedClientTenant(deps, client);

    const refreshToken = offlineRefreshToken(tenant, application, grant, {}, now);
    if (!(await tokenExchange.redeemCode(codeHash, now, refreshToken?.record))) throw await replayed(oauthGrants, grant.id, now);

    const context = {
      tenant,
      application,
      ...subject,
      grant,
      scopes: grant.scopes,
      issuer: issuerFor(tenant.settings, request),
      nonce: stored.nonce,
      now,
    };
    return tokenResponseBody(await issueGrantTokens(deps.signingKeys, context), context, refreshToken);
  },
};

/** A code presented after it was redeemed: its grant is revoked, and the answer is invalid_grant. */
async function replayed(grants: Pick<OAuthGrantRepository, 'revoke'>, grantId: string, now: number): Promise<OAuthError> {
  await grants.revoke(grantId, now);
  return invalidCode('The authorization code was already used: every token issued from it is now revoked.');
}
