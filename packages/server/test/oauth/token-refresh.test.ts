import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import type { Application } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import {
  callbackParameters,
  createOAuthApplication,
  createOAuthUser,
  postToken,
  seedAuthorizationCode,
  startOAuthServer,
  testPassword,
  type OAuthClientApp,
  type OAuthServer,
  type SeedCodeOptions,
} from '../helpers/oauth-fixtures.ts';

const insecure = { [oauth.allowInsecureRequests]: true };

function assertInvalid(response: { status: number; headers: Headers; json: Record<string, unknown> }, status: number, error: string, reason?: string) {
  assert.equal(response.status, status, JSON.stringify(response.json));
  assert.equal(response.json['error'], error, JSON.stringify(response.json));
  if (reason !== undefined) assert.equal(response.json['error_reason'], reason, JSON.stringify(response.json));
  assert.equal(response.headers.get('cache-control'), 'no-store');
}

for (const backend of backends) {
  describe(`grant_type=refresh_token on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    /** The app's clock runs `offset` ms ahead of the real one. */
    let offset = 0;

    before(async () => {
      server = await startOAuthServer(backend, { now: () => Date.now() + offset });
      app = await createOAuthApplication(server);
    });
    after(async () => {
      await server.close();
    });

    /** An authorization code redeemed through oauth4webapi: the tokens a client holds after login. */
    async function login(target: OAuthClientApp = app, options: SeedCodeOptions = {}) {
      const user = await createOAuthUser(server, target.application);
      const seeded = await seedAuthorizationCode(server, target, user, { now: Date.now() + offset, ...options });
      const response = await oauth.authorizationCodeGrantRequest(
        server.as,
        target.client,
        oauth.ClientSecretBasic(target.clientSecret),
        callbackParameters(server, target, seeded.code),
        target.redirectUri,
        seeded.codeVerifier!,
        insecure,
      );
      const tokens = await oauth.processAuthorizationCodeResponse(server.as, target.client, response, options.nonce === undefined ? {} : { expectedNonce: options.nonce });
      return { user, grantId: seeded.grantId, tokens, refreshToken: tokens.refresh_token! };
    }
    const refresh = (refreshToken: string, target: OAuthClientApp = app, extra: Record<string, string> = {}) =>
      postToken(server, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: target.clientId, client_secret: target.clientSecret, ...extra });
    const userinfo = (accessToken: string) => fetch(`${server.baseUrl}/oauth2/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
    const oneTimeUse = (gracePeriodInSeconds: number): Application => ({
      jwtConfiguration: {
        enabled: true,
        timeToLiveInSeconds: 300,
        refreshTokenTimeToLiveInMinutes: 60,
        refreshTokenUsagePolicy: 'OneTimeUse' as never,
        refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds },
      },
    });

    it('exchanges a live refresh token for new tokens; a Reusable token stays the same and is not sent back (RT-01)', async () => {
      const session = await login();
      const response = await oauth.refreshTokenGrantRequest(server.as, app.client, oauth.ClientSecretBasic(app.clientSecret), session.refreshToken, insecure);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const refreshed = await oauth.processRefreshTokenResponse(server.as, app.client, response);
      assert.equal(refreshed.refresh_token, undefined, 'FusionAuth answers a refresh_token only when it rotated');
      assert.notEqual(refreshed.access_token, session.tokens.access_token);
      const claims = decodeJwt(refreshed.access_token);
      assert.equal(claims['sid'], session.grantId);
      assert.equal(claims['authenticationType'], 'REFRESH_TOKEN');
      assert.equal(claims['scope'], 'openid offline_access profile email');
      assert.equal(refreshed['userId'], session.user.id);
      assert.equal((await refresh(session.refreshToken)).status, 200, 'a Reusable token works again');
    });

    it('keeps iss, sub, aud and the original auth_time in the refreshed ID token, without nonce (RT-07)', async () => {
      const authenticatedInstant = Date.now() - 60_000;
      const session = await login(app, { nonce: 'login-nonce', authenticatedInstant });
      const config = new openid.Configuration(server.as, app.clientId, { client_secret: app.clientSecret, id_token_signed_response_alg: 'ES256' });
      openid.allowInsecureRequests(config);
      const refreshed = await openid.refreshTokenGrant(config, session.refreshToken);
      const before = decodeJwt(session.tokens.id_token!);
      const after = refreshed.claims()!;
      for (const claim of ['iss', 'sub', 'aud', 'auth_time'] as const) assert.deepEqual(after[claim], before[claim], claim);
      assert.equal(after.auth_time, Math.floor(authenticatedInstant / 1000));
      assert.equal(after.nonce, undefined);
      assert.equal(before['nonce'], 'login-nonce');
      assert.ok(after.iat >= before.iat!);
    });

    it('narrows the scope on request but never widens it; the token keeps its scopes (RT-02)', async () => {
      const session = await login();
      const wider = await refresh(session.refreshToken, app, { scope: 'openid offline_access profile email phone' });
      assertInvalid(wider, 400, 'invalid_scope');
      const narrower = await refresh(session.refreshToken, app, { scope: 'openid' });
      assert.equal(narrower.status, 200, JSON.stringify(narrower.json));
      assert.equal(narrower.json['scope'], 'openid');
      assert.equal(decodeJwt(narrower.json['access_token'] as string)['scope'], 'openid');
      const claims = decodeJwt(narrower.json['id_token'] as string);
      assert.equal(claims['email'], undefined, 'claims follow the narrowed scopes');
      const stored = await server.gatehouse.store.repositories.refreshTokens.find(session.grantId);
      assert.deepEqual(stored?.metaData['scopes'], ['openid', 'offline_access', 'profile', 'email']);
      const full = await refresh(session.refreshToken);
      assert.equal(full.json['scope'], 'openid offline_access profile email');
      assertInvalid(await refresh(session.refreshToken, app, { scope: 'open id' }), 400, 'invalid_scope');
    });

    it('refuses the refresh token of another client, even with that client\'s valid credentials (RT-03)', async () => {
      const session = await login();
      const other = await createOAuthApplication(server);
      assertInvalid(await refresh(session.refreshToken, other), 400, 'invalid_grant', 'client_id_mismatch');
      assert.equal((await refresh(session.refreshToken)).status, 200, 'still the owner\'s');
    });

    it('wants client authentication from a confidential client (RT-04)', async () => {
      const session = await login();
      const anonymous = await postToken(server, { grant_type: 'refresh_token', refresh_token: session.refreshToken, client_id: app.clientId });
      assertInvalid(anonymous, 401, 'invalid_client', 'client_authentication_missing');
      assertInvalid(await refresh(session.refreshToken, app, { client_secret: 'wrong' }), 401, 'invalid_client');
    });

    it('rotates OneTimeUse tokens under the same id; reusing the old value revokes the whole grant (RT-05)', async () => {
      const rotating = await createOAuthApplication(server, { application: oneTimeUse(0) });
      const session = await login(rotating);
      const first = await refresh(session.refreshToken, rotating);
      assert.equal(first.status, 200);
      const next = first.json['refresh_token'] as string;
      assert.ok(next);
      assert.notEqual(next, session.refreshToken);
      assert.equal(first.json['refresh_token_id'], session.grantId, 'same id: sid is stable');
      assert.equal(decodeJwt(first.json['access_token'] as string)['sid'], session.grantId);

      const accessToken = first.json['access_token'] as string;
      assert.equal((await userinfo(accessToken)).status, 200);
      assertInvalid(await refresh(session.refreshToken, rotating), 400, 'invalid_grant', 'refresh_token_not_found');
      assert.equal((await userinfo(accessToken)).status, 401, 'the access tokens of the family die with it');
      assert.equal(typeof (await server.gatehouse.store.repositories.oauthGrants.find(session.grantId))?.revokedInstant, 'number', 'the grant is revoked');
      assertInvalid(await refresh(next, rotating), 400, 'invalid_grant', 'refresh_token_not_found');
    });

    it('answers a reuse within the grace period with the current value; after it, revokes the family (RT-09)', async () => {
      const graceful = await createOAuthApplication(server, { application: oneTimeUse(10) });
      const session = await login(graceful);
      const first = await refresh(session.refreshToken, graceful);
      const current = first.json['refresh_token'] as string;
      const retried = await refresh(session.refreshToken, graceful);
      assert.equal(retried.status, 200);
      assert.equal(retried.json['refresh_token'], current, 'the current value, not a new rotation');
      offset = 11_000;
      try {
        assertInvalid(await refresh(session.refreshToken, graceful), 400, 'invalid_grant');
        assertInvalid(await refresh(current, graceful), 400, 'invalid_grant', 'refresh_token_not_found');
        assert.equal(await server.gatehouse.store.repositories.refreshTokens.find(session.grantId), undefined);
      } finally {
        offset = 0;
      }
    });

    it('refuses expired, revoked and orphaned refresh tokens (RT-06)', async () => {
      assertInvalid(await refresh('not-a-refresh-token'), 400, 'invalid_grant', 'refresh_token_not_found');
      assertInvalid(await postToken(server, { grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret }), 400, 'invalid_request', 'missing_refresh_token');

      const shortLived = await createOAuthApplication(server, { application: { jwtConfiguration: { enabled: true, timeToLiveInSeconds: 60, refreshTokenTimeToLiveInMinutes: 1 } } });
      const expiring = await login(shortLived);
      offset = 61_000;
      try {
        assertInvalid(await refresh(expiring.refreshToken, shortLived), 400, 'invalid_grant', 'refresh_token_not_found');
      } finally {
        offset = 0;
      }

      const revoked = await login();
      await server.client.revokeRefreshTokenById(revoked.grantId);
      assertInvalid(await refresh(revoked.refreshToken), 400, 'invalid_grant', 'refresh_token_not_found');

      const deactivated = await login();
      await server.client.deactivateUser(deactivated.user.id!);
      assertInvalid(await refresh(deactivated.refreshToken), 400, 'invalid_grant', 'user_not_found');
    });

    it('slides the window of a SlidingWindow token at each use', async () => {
      const sliding = await createOAuthApplication(server, {
        application: { jwtConfiguration: { enabled: true, timeToLiveInSeconds: 60, refreshTokenTimeToLiveInMinutes: 10, refreshTokenExpirationPolicy: 'SlidingWindow' as never } },
      });
      const session = await login(sliding);
      try {
        offset = 8 * 60_000;
        assert.equal((await refresh(session.refreshToken, sliding)).status, 200);
        const stored = await server.gatehouse.store.repositories.refreshTokens.find(session.grantId);
        assert.ok(stored!.expirationInstant >= Date.now() + offset + 9 * 60_000, 'ten minutes from the last use');
        offset = 16 * 60_000;
        assert.equal((await refresh(session.refreshToken, sliding)).status, 200, 'past the fixed lifetime, within the window');
      } finally {
        offset = 0;
      }
    });

    it('accepts a refresh token from the Login API (FusionAuth: one kind of refresh token)', async () => {
      const loginApp = await createOAuthApplication(server, { application: { loginConfiguration: { generateRefreshTokens: true, requireAuthentication: false } } });
      const user = await createOAuthUser(server, loginApp.application);
      const apiLogin = (await server.client.login({ loginId: user.email!, password: testPassword, applicationId: loginApp.clientId })).response;
      const refreshed = await refresh(apiLogin.refreshToken!, loginApp);
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
      assert.equal(refreshed.json['id_token'], undefined, 'no openid scope behind a Login API token');
      assert.equal(decodeJwt(refreshed.json['access_token'] as string)['sid'], apiLogin.refreshTokenId);
      const adopted = await server.gatehouse.store.repositories.oauthGrants.find(apiLogin.refreshTokenId!);
      assert.equal(adopted?.grantType, 'password', 'the token now has a grant: revocation and introspection know its access tokens');
      assert.deepEqual(adopted?.scopes, []);
      const introspection = await fetch(`${server.baseUrl}/oauth2/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: refreshed.json['access_token'] as string, client_id: loginApp.clientId, client_secret: loginApp.clientSecret }),
      });
      assert.equal(((await introspection.json()) as { active: boolean }).active, true);
      assert.equal((await refresh(apiLogin.refreshToken!, loginApp)).status, 200, 'and it keeps working');
    });

    it('obeys enabledGrants for refresh', async () => {
      const session = await login();
      await server.client.patchApplication(app.clientId, { application: { oauthConfiguration: { enabledGrants: ['authorization_code'] as never } } });
      try {
        assertInvalid(await refresh(session.refreshToken), 400, 'unauthorized_client', 'grant_type_disabled');
      } finally {
        await server.client.patchApplication(app.clientId, { application: { oauthConfiguration: { enabledGrants: ['authorization_code', 'refresh_token', 'password'] as never } } });
      }
      assert.equal((await refresh(session.refreshToken)).status, 200);
    });
  });
}
