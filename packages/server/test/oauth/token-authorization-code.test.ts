import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { hashRefreshToken } from '../../src/oauth/tokens/refresh-token-value.ts';
import { backends } from '../helpers/test-stores.ts';
import { callbackParameters, createOAuthApplication, createOAuthUser, postToken, seedAuthorizationCode, startOAuthServer, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { assertOAuthError, insecure } from '../helpers/token-endpoint.ts';

for (const backend of backends) {
  describe(`grant_type=authorization_code on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    let otherApp: OAuthClientApp;
    let jwks: ReturnType<typeof createRemoteJWKSet>;

    before(async () => {
      server = await startOAuthServer(backend);
      app = await createOAuthApplication(server, { application: { roles: [{ name: 'admin' }, { name: 'viewer' }] } });
      otherApp = await createOAuthApplication(server);
      jwks = createRemoteJWKSet(new URL(server.as.jwks_uri!));
    });
    after(async () => {
      await server.close();
    });

    const exchange = (seeded: { code: string; codeVerifier: string | undefined }, target: OAuthClientApp = app, auth = oauth.ClientSecretBasic(target.clientSecret)) =>
      oauth.authorizationCodeGrantRequest(server.as, target.client, auth, callbackParameters(server, target, seeded.code), target.redirectUri, seeded.codeVerifier ?? oauth.nopkce, insecure);
    const userinfo = (accessToken: string) => fetch(`${server.baseUrl}/oauth2/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    const raw = (form: Record<string, string | undefined>, target: OAuthClientApp = app) =>
      postToken(server, Object.fromEntries(Object.entries({ grant_type: 'authorization_code', redirect_uri: target.redirectUri, client_id: target.clientId, client_secret: target.clientSecret, ...form }).filter(([, value]) => value !== undefined)) as Record<string, string>);

    it('exchanges a code for tokens that strict clients accept (CODE-01)', async () => {
      const user = await createOAuthUser(server, app.application, { roles: ['admin'], user: { username: `ada-${Date.now()}` } });
      const authenticatedInstant = Date.now() - 5_000;
      const seeded = await seedAuthorizationCode(server, app, user, { nonce: 'n-0S6_WzA2Mj', authenticatedInstant });
      const response = await exchange(seeded);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const result = await oauth.processAuthorizationCodeResponse(server.as, app.client, response, { expectedNonce: 'n-0S6_WzA2Mj', requireIdToken: true });
      assert.equal(result.token_type, 'bearer');
      assert.equal(result.expires_in, 3600);
      assert.equal(result.scope, 'openid offline_access profile email');
      assert.equal(result['userId'], user.id);
      assert.equal(result['refresh_token_id'], seeded.grantId, 'the refresh token id is the grant id');
      assert.ok(result.refresh_token);

      const idToken = await jwtVerify(result.id_token!, jwks, { issuer: server.issuer, audience: app.clientId });
      assert.equal(idToken.protectedHeader.alg, 'ES256');
      assert.equal(idToken.payload.sub, user.id);
      assert.equal(idToken.payload['nonce'], 'n-0S6_WzA2Mj');
      assert.equal(idToken.payload['auth_time'], Math.floor(authenticatedInstant / 1000));
      assert.equal(idToken.payload['email'], user.email);
      assert.equal(idToken.payload['given_name'], 'Ada');
      assert.equal(idToken.payload['c_hash'], undefined, 'no c_hash at the token endpoint');

      const accessToken = await jwtVerify(result.access_token, jwks, { issuer: server.issuer, audience: app.clientId });
      assert.equal(accessToken.protectedHeader.alg, 'ES256');
      assert.equal(accessToken.protectedHeader.typ, 'JWT');
      const claims = accessToken.payload;
      assert.equal(claims.sub, user.id);
      assert.equal(claims['scope'], 'openid offline_access profile email');
      assert.equal(claims['sid'], seeded.grantId);
      assert.equal(claims['applicationId'], app.clientId);
      assert.deepEqual(claims['roles'], ['admin']);
      assert.equal(claims['authenticationType'], 'PASSWORD');
      assert.equal(claims['auth_time'], Math.floor(authenticatedInstant / 1000));
      assert.equal(claims['tid'], user.tenantId);
      assert.equal(claims['email'], user.email);
      assert.equal(claims['email_verified'], user.verified ?? false);
      assert.equal(claims['preferred_username'], user.username);

      const stored = await server.gatehouse.store.repositories.refreshTokens.find(seeded.grantId);
      assert.ok(stored);
      assert.deepEqual(stored.tokenHash, hashRefreshToken(result.refresh_token), 'only the hash is stored');
      assert.deepEqual(stored.metaData['scopes'], ['openid', 'offline_access', 'profile', 'email']);
      assert.equal(stored.applicationId, app.clientId);
    });

    it('works with openid-client too', async () => {
      const user = await createOAuthUser(server, app.application);
      const seeded = await seedAuthorizationCode(server, app, user, { nonce: 'openid-client-nonce' });
      const config = new openid.Configuration(server.as, app.clientId, { client_secret: app.clientSecret, id_token_signed_response_alg: 'ES256' });
      openid.allowInsecureRequests(config);
      const url = new URL(app.redirectUri);
      url.searchParams.set('code', seeded.code);
      url.searchParams.set('state', 'xyz');
      url.searchParams.set('iss', server.issuer);
      const tokens = await openid.authorizationCodeGrant(config, url, { pkceCodeVerifier: seeded.codeVerifier!, expectedNonce: 'openid-client-nonce', expectedState: 'xyz', idTokenExpected: true });
      assert.equal(tokens.claims()?.sub, user.id);
      assert.ok(tokens.refresh_token);
    });

    it('produces tokens with 256 bits of entropy in the allowed character sets (CODE-10)', async () => {
      const user = await createOAuthUser(server, app.application);
      const result = await oauth.processAuthorizationCodeResponse(server.as, app.client, await exchange(await seedAuthorizationCode(server, app, user)));
      assert.match(result.refresh_token!, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
      assert.match(result.access_token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      assert.ok(decodeJwt(result.access_token).jti);
    });

    it('refuses a code used twice, and revokes every token of the first redemption (CODE-02, CODE-03)', async () => {
      const user = await createOAuthUser(server, app.application);
      const seeded = await seedAuthorizationCode(server, app, user);
      const first = await oauth.processAuthorizationCodeResponse(server.as, app.client, await exchange(seeded));
      assert.equal((await userinfo(first.access_token)).status, 200);
      const replay = await raw({ code: seeded.code, code_verifier: seeded.codeVerifier });
      assertOAuthError(replay, 400, 'invalid_grant', 'auth_code_not_found');
      const grant = await server.gatehouse.store.repositories.oauthGrants.find(seeded.grantId);
      assert.equal(typeof grant?.revokedInstant, 'number', 'the grant is revoked, so its access tokens (sid) are too');
      assert.equal(await server.gatehouse.store.repositories.refreshTokens.find(seeded.grantId), undefined, 'its refresh token is deleted');
      assert.equal((await userinfo(first.access_token)).status, 401, 'the access token of the first redemption is dead');
      const refresh = await postToken(server, { grant_type: 'refresh_token', refresh_token: first.refresh_token!, client_id: app.clientId, client_secret: app.clientSecret });
      assertOAuthError(refresh, 400, 'invalid_grant', 'refresh_token_not_found');
      // A third attempt is still refused.
      assertOAuthError(await raw({ code: seeded.code, code_verifier: seeded.codeVerifier }), 400, 'invalid_grant');
    });

    it('lets exactly one of two concurrent redemptions succeed (CODE-04)', async () => {
      const user = await createOAuthUser(server, app.application);
      const seeded = await seedAuthorizationCode(server, app, user);
      const results = await Promise.all([raw({ code: seeded.code, code_verifier: seeded.codeVerifier }), raw({ code: seeded.code, code_verifier: seeded.codeVerifier })]);
      assert.deepEqual(results.map((result) => result.status).sort(), [200, 400]);
      const refused = results.find((result) => result.status === 400)!;
      assertOAuthError(refused, 400, 'invalid_grant');
    });

    it('refuses the code of another client, and leaves it to its own client (CODE-05)', async () => {
      const user = await createOAuthUser(server, app.application);
      const seeded = await seedAuthorizationCode(server, app, user);
      const stolen = await raw({ code: seeded.code, code_verifier: seeded.codeVerifier, redirect_uri: app.redirectUri }, otherApp);
      assertOAuthError(stolen, 400, 'invalid_grant', 'client_id_mismatch');
      const own = await oauth.processAuthorizationCodeResponse(server.as, app.client, await exchange(seeded));
      assert.ok(own.access_token);
    });

    it('wants the redirect_uri of the authorization request (CODE-06)', async () => {
      const user = await createOAuthUser(server, app.application);
      const seeded = await seedAuthorizationCode(server, app, user);
      for (const redirectUri of ['https://app.example.com/callback/', 'https://APP.example.com/callback', 'https://app.example.com/other']) {
        assertOAuthError(await raw({ code: seeded.code, code_verifier: seeded.codeVerifier, redirect_uri: redirectUri }), 400, 'invalid_grant', 'invalid_redirect_uri');
      }
      assertOAuthError(await raw({ code: seeded.code, code_verifier: seeded.codeVerifier, redirect_uri: undefined }), 400, 'invalid_request', 'missing_redirect_uri');
      assertOAuthError(await raw({ code: undefined, code_verifier: seeded.codeVerifier }), 400, 'invalid_request', 'missing_code');
      assert.equal((await raw({ code: seeded.code, code_verifier: seeded.codeVerifier })).status, 200, 'refused attempts did not use the code up');
    });

    it('refuses unknown and expired codes, revoked grants and users who can no longer log in (CODE-07)', async () => {
      assertOAuthError(await raw({ code: 'not-a-code' }), 400, 'invalid_grant', 'auth_code_not_found');
      const user = await createOAuthUser(server, app.application);
      const expired = await seedAuthorizationCode(server, app, user, { now: Date.now() - 31_000 });
      assertOAuthError(await raw({ code: expired.code, code_verifier: expired.codeVerifier }), 400, 'invalid_grant', 'auth_code_not_found');

      const revoked = await seedAuthorizationCode(server, app, user);
      await server.gatehouse.store.repositories.oauthGrants.revoke(revoked.grantId, Date.now());
      assertOAuthError(await raw({ code: revoked.code, code_verifier: revoked.codeVerifier }), 400, 'invalid_grant');

      const deactivated = await seedAuthorizationCode(server, app, user);
      await server.client.deactivateUser(user.id!);
      assertOAuthError(await raw({ code: deactivated.code, code_verifier: deactivated.codeVerifier }), 400, 'invalid_grant', 'user_not_found');

      const expiring = await createOAuthUser(server, app.application);
      const late = await seedAuthorizationCode(server, app, expiring);
      await server.client.patchUser(expiring.id!, { user: { expiry: Date.now() - 1000 } });
      assertOAuthError(await raw({ code: late.code, code_verifier: late.codeVerifier }), 400, 'invalid_grant', 'user_expired');

      const deleted = await createOAuthUser(server, app.application);
      const orphan = await seedAuthorizationCode(server, app, deleted);
      await server.client.deleteUser(deleted.id!);
      assertOAuthError(await raw({ code: orphan.code, code_verifier: orphan.codeVerifier }), 400, 'invalid_grant', 'auth_code_not_found');
    });

    it('checks the code_verifier: absent, wrong, too short, too long or outside the charset (CODE-08)', async () => {
      const user = await createOAuthUser(server, app.application);
      const seeded = await seedAuthorizationCode(server, app, user);
      const cases: [string | undefined, string][] = [
        [undefined, 'missing_code_verifier'],
        [oauth.generateRandomCodeVerifier(), 'invalid_pkce_code_verifier'],
        ['a'.repeat(42), 'invalid_pkce_code_verifier'],
        ['a'.repeat(129), 'invalid_pkce_code_verifier'],
        [`${'a'.repeat(50)}+/=`, 'invalid_pkce_code_verifier'],
        [`${seeded.codeVerifier!.slice(0, -1)}!`, 'invalid_pkce_code_verifier'],
      ];
      for (const [verifier, reason] of cases) assertOAuthError(await raw({ code: seeded.code, code_verifier: verifier }), 400, 'invalid_grant', reason);
      assert.equal((await raw({ code: seeded.code, code_verifier: seeded.codeVerifier })).status, 200);
    });

    it('accepts the plain method when the code was issued with it, and a 128-character verifier', async () => {
      const user = await createOAuthUser(server, app.application);
      const plain = await seedAuthorizationCode(server, app, user, { pkce: 'plain' });
      assert.equal((await raw({ code: plain.code, code_verifier: plain.codeVerifier })).status, 200);
      const wrongMethod = await seedAuthorizationCode(server, app, user, { pkce: 'S256' });
      const challenge = await oauth.calculatePKCECodeChallenge(wrongMethod.codeVerifier!);
      assertOAuthError(await raw({ code: wrongMethod.code, code_verifier: challenge }), 400, 'invalid_grant', 'invalid_pkce_code_verifier');
    });

    it('refuses a code_verifier for a code issued without a challenge: the PKCE downgrade (CODE-09)', async () => {
      const user = await createOAuthUser(server, app.application);
      const seeded = await seedAuthorizationCode(server, app, user, { pkce: 'none' });
      assertOAuthError(await raw({ code: seeded.code, code_verifier: oauth.generateRandomCodeVerifier() }), 400, 'invalid_grant', 'invalid_pkce_code_verifier');
      // The same code without a verifier is fine for a client that authenticates (default PKCE policy NotRequired).
      assert.equal((await raw({ code: seeded.code })).status, 200);
    });

    it('issues a refresh token only for offline_access on an application that generates them', async () => {
      const user = await createOAuthUser(server, app.application);
      const online = await oauth.processAuthorizationCodeResponse(server.as, app.client, await exchange(await seedAuthorizationCode(server, app, user, { scopes: ['openid'] })));
      assert.equal(online.refresh_token, undefined);
      assert.equal(online['refresh_token_id'], undefined);
      assert.ok(online.id_token);

      const noRefresh = await createOAuthApplication(server, { oauthConfiguration: { generateRefreshTokens: false } });
      const registered = await createOAuthUser(server, noRefresh.application);
      const seeded = await seedAuthorizationCode(server, noRefresh, registered);
      const result = await oauth.processAuthorizationCodeResponse(server.as, noRefresh.client, await exchange(seeded, noRefresh));
      assert.equal(result.refresh_token, undefined);
      assert.equal(result.scope, 'openid offline_access profile email', 'the granted scopes, offline_access included');
      assert.equal(await server.gatehouse.store.repositories.refreshTokens.find(seeded.grantId), undefined);

      const oauthOnly = await createOAuthApplication(server, { oauthConfiguration: { enabledGrants: ['authorization_code'] as never } });
      const member = await createOAuthUser(server, oauthOnly.application);
      const withoutGrant = await oauth.processAuthorizationCodeResponse(server.as, oauthOnly.client, await exchange(await seedAuthorizationCode(server, oauthOnly, member), oauthOnly));
      assert.equal(withoutGrant.refresh_token, undefined, 'no refresh token for a client that may not use the refresh_token grant');
    });

    it('omits the ID token without openid, and roles without a registration', async () => {
      const stranger = await createOAuthUser(server, undefined);
      const seeded = await seedAuthorizationCode(server, app, stranger, { scopes: ['profile'] });
      const result = await oauth.processAuthorizationCodeResponse(server.as, app.client, await exchange(seeded));
      assert.equal(result.id_token, undefined);
      const claims = decodeJwt(result.access_token);
      assert.equal(claims.aud, app.clientId);
      assert.equal(claims['roles'], undefined);
      assert.equal(claims['applicationId'], undefined);
      assert.equal(claims['scope'], 'profile');
    });

    it('signs with the key the application assigns', async () => {
      const key = (await server.client.generateKey('', { key: { algorithm: 'RS256' as never, name: `rsa ${Date.now()}`, length: 2048 } })).response.key!;
      const rsa = await createOAuthApplication(server, { application: { jwtConfiguration: { enabled: true, accessTokenKeyId: key.id!, idTokenKeyId: key.id!, timeToLiveInSeconds: 600, refreshTokenTimeToLiveInMinutes: 60 } } });
      const user = await createOAuthUser(server, rsa.application);
      const response = await exchange(await seedAuthorizationCode(server, rsa, user), rsa);
      const result = await oauth.processAuthorizationCodeResponse(server.as, { ...rsa.client, id_token_signed_response_alg: 'RS256' }, response);
      assert.equal(decodeProtectedHeader(result.access_token).kid, key.kid);
      assert.equal(decodeProtectedHeader(result.id_token!).alg, 'RS256');
      assert.equal(result.expires_in, 600);
      // A fresh key set: the shared one cached the JWKS before this key existed.
      await jwtVerify(result.id_token!, createRemoteJWKSet(new URL(server.as.jwks_uri!)), { issuer: server.issuer });
    });
  });
}
