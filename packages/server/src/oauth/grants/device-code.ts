import { OAuthError } from '../../errors/oauth-error.ts';
import { authenticateClient } from '../client-auth/authenticate-client.ts';
import { hashDeviceCode } from '../device/device-code-value.ts';
import { deviceCodeGrantType, requireDeviceClient, slowDownSeconds } from '../device/device-authorization.ts';
import { requiredParameter } from '../form-parameters.ts';
import { issueGrantTokens, tokenResponseBody } from '../tokens/grant-tokens.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { clientTenant } from './grant-client.ts';
import { grantSubject } from './grant-subject.ts';
import { offlineRefreshToken } from './offline-refresh-token.ts';
import type { TokenGrant } from './token-grant.ts';

function invalidDeviceCode(description: string, reason = 'invalid_device_code'): OAuthError {
  return new OAuthError('invalid_grant', description, 400, { reason });
}

/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4–3.5): the device polls with its
 * device code. The request's row is locked for the poll, so concurrent polls queue and each sees the
 * last one's instant: faster than the interval is slow_down and the interval grows by 5 s for every later
 * poll (DEV-02); the answers that change the row (pending, slow_down, a replay's revocation) commit before
 * the error is thrown. Unknown, another client's and spent codes are invalid_grant (DEV-03; FusionAuth:
 * invalid_request with error_reason invalid_device_code). A second redemption revokes the grant and every
 * token issued from it, as a replayed authorization code does. Approved: the tokens of the code grant —
 * access token, ID token with `openid`, refresh token with `offline_access`.
 */
export const deviceCodeGrant: TokenGrant = {
  grantType: deviceCodeGrantType,
  async exchange(deps, request) {
    const { parameters, now } = request;
    const client = await authenticateClient(deps, parameters, request.authorization);
    requireDeviceClient(client);
    const { application } = client;
    const deviceCode = requiredParameter(parameters, 'device_code');

    const outcome = await deps.store.transaction(async (repositories) => {
      const code = await repositories.deviceCodes.findByDeviceCodeForUpdate(hashDeviceCode(deviceCode));
      if (code === undefined) throw invalidDeviceCode('The device_code is unknown.');
      if (code.applicationId !== application.id) throw invalidDeviceCode('The device_code was not issued to this client.', 'client_id_mismatch');
      if (code.status === 'redeemed') {
        if (code.grantId !== undefined) await repositories.oauthGrants.revoke(code.grantId, now);
        return { kind: 'replay' } as const;
      }
      if (code.expirationInstant <= now) throw new OAuthError('expired_token', 'The device_code has expired, and the device authorization session has concluded.');
      if (code.status === 'denied') throw new OAuthError('access_denied', 'The user denied the authorization request.');
      if (code.status === 'pending') {
        const tooSoon = code.lastPolledInstant !== undefined && now - code.lastPolledInstant < code.intervalSeconds * 1000;
        const intervalSeconds = tooSoon ? code.intervalSeconds + slowDownSeconds : code.intervalSeconds;
        await repositories.deviceCodes.recordPoll(code.id, now, intervalSeconds);
        return { kind: tooSoon ? 'slow_down' : 'pending', intervalSeconds } as const;
      }
      const grant = code.grantId === undefined ? undefined : await repositories.oauthGrants.find(code.grantId);
      if (grant === undefined || grant.revokedInstant !== undefined) throw invalidDeviceCode('The authorization behind this device_code was revoked.');
      await repositories.deviceCodes.markRedeemed(code.id);
      const subject = await grantSubject(repositories, grant, now);
      const tenant = await clientTenant(repositories, client);
      const refreshToken = offlineRefreshToken(tenant, application, grant, {}, now);
      if (refreshToken !== undefined) await repositories.refreshTokens.insert(refreshToken.record);
      return { kind: 'approved', grant, subject, tenant, refreshToken } as const;
    });

    switch (outcome.kind) {
      case 'replay':
        throw invalidDeviceCode('The device_code was already used: every token issued from it is now revoked.');
      case 'slow_down':
        throw new OAuthError('slow_down', `The device is polling too fast: wait at least ${outcome.intervalSeconds} seconds between requests.`);
      case 'pending':
        throw new OAuthError('authorization_pending', 'The authorization request is still pending.');
      case 'approved': {
        const { grant, subject, tenant, refreshToken } = outcome;
        const context = { tenant, application, ...subject, grant, scopes: grant.scopes, issuer: issuerFor(tenant.settings, request), now };
        return tokenResponseBody(await issueGrantTokens(deps.signingKeys, context), context, refreshToken);
      }
    }
  },
};
