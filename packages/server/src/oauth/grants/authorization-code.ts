import { OAuthError } from '../../errors/oauth-error.ts';
import { requireClientAuthentication } from '../client-auth/authenticate-client.ts';
import { requiredParameter } from '../form-parameters.ts';
import { requirePkcePolicy, verifyCodeVerifier } from '../pkce.ts';
import { hashAuthorizationCode } from '../tokens/authorization-code-value.ts';
import { issueGrantTokens, tokenResponseBody } from '../tokens/grant-tokens.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { applicationClient, clientTenant } from './grant-client.ts';
import { grantSubject } from './grant-subject.ts';
import { offlineRefreshToken } from './offline-refresh-token.ts';
import type { TokenGrant } from './token-grant.ts';

function invalidCode(description: string, reason = 'auth_code_not_found'): OAuthError {
  return new OAuthError('invalid_grant', description, 400, { reason });
}

/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5). The code is consumed atomically inside
 * the transaction that issues the refresh token: of two concurrent redemptions one wins (CODE-04), and a
 * request refused after the consume (another client's code, another redirect_uri, a wrong verifier) rolls
 * it back, so the code stays redeemable by its own client. A code presented again after a successful
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

    const redeemed = await deps.store.transaction(async (repositories) => {
      const consumed = await repositories.authorizationCodes.consume(hashAuthorizationCode(code), now);
      if (consumed === undefined) throw invalidCode('The authorization code is unknown.');
      if (consumed.replay) {
        await repositories.oauthGrants.revoke(consumed.code.grantId, now);
        return undefined;
      }
      const stored = consumed.code;
      const grant = await repositories.oauthGrants.find(stored.grantId);
      if (grant === undefined || grant.applicationId !== application.id) throw invalidCode('The authorization code was not issued to this client.', 'client_id_mismatch');
      if (stored.expirationInstant <= now) throw invalidCode('The authorization code has expired.');
      if (grant.revokedInstant !== undefined) throw invalidCode('The authorization behind this code was revoked.');
      // RFC 6749 §4.1.3: identical to the redirect_uri of the authorization request.
      if (redirectUri !== stored.redirectUri) throw invalidCode('The redirect_uri differs from the one of the authorization request.', 'invalid_redirect_uri');
      const usedPkce = verifyCodeVerifier(stored, verifier);
      requireClientAuthentication(client, usedPkce);
      requirePkcePolicy(application.settings.oauthConfiguration.proofKeyForCodeExchangePolicy, client.method !== 'none', usedPkce);

      const subject = await grantSubject(repositories, grant, now);
      const tenant = await clientTenant(repositories, client);
      const refreshToken = offlineRefreshToken(tenant, application, grant, {}, now);
      if (refreshToken !== undefined) await repositories.refreshTokens.insert(refreshToken.record);
      return { grant, subject, tenant, nonce: stored.nonce, refreshToken };
    });
    if (redeemed === undefined) throw invalidCode('The authorization code was already used: every token issued from it is now revoked.');

    const { grant, subject, tenant, refreshToken } = redeemed;
    const context = {
      tenant,
      application,
      ...subject,
      grant,
      scopes: grant.scopes,
      issuer: issuerFor(tenant.settings, request),
      nonce: redeemed.nonce,
      now,
    };
    return tokenResponseBody(await issueGrantTokens(deps.signingKeys, context), context, refreshToken);
  },
};
