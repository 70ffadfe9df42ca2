import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { Browser, responseParameters, signInThroughPage } from '../helpers/hosted-login.ts';
import { createOAuthApplication, createOAuthUser, startOAuthServer, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

/**
 * The whole life of an OpenID Connect login, driven by openid-client with its strict checks (issuer from
 * discovery, state, nonce, PKCE, iss on the authorization response, ID token signature and claims):
 * discovery → authorize → hosted login → callback → token → userinfo → refresh → introspect → revoke →
 * logout → prompt=none.
 */
for (const backend of backends) {
  describe(`OpenID Connect end to end on ${backend} with openid-client`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    let config: client.Configuration;

    before(async () => {
      server = await startOAuthServer(backend);
      app = await createOAuthApplication(server);
      config = await client.discovery(new URL(server.baseUrl), app.clientId, app.clientSecret, undefined, { execute: [client.allowInsecureRequests] });
    });
    after(async () => {
      await server.close();
    });

    it('logs a user in, refreshes, introspects, revokes and logs out', async () => {
      const user = await createOAuthUser(server, app.application, { roles: [] });
      assert.equal(config.serverMetadata().issuer, server.baseUrl, 'the default issuer is the server URL, as strict clients need');

      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const authorizationUrl = client.buildAuthorizationUrl(config, {
        redirect_uri: app.redirectUri,
        scope: 'openid profile email offline_access',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const browser = new Browser(server.baseUrl);
      const callback = await signInThroughPage(browser, authorizationUrl.href, user.email!);
      assert.ok([302, 303].includes(callback.status), `a redirect to the client, got ${callback.status}`);
      assert.ok(callback.location?.startsWith(app.redirectUri));

      const tokens = await client.authorizationCodeGrant(config, new URL(callback.location!), {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      assert.equal(claims.sub, user.id);
      assert.equal(claims.email, user.email);
      assert.equal(claims['given_name'], 'Ada');
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(tokens.refresh_token, 'offline_access gave a refresh token');
      assert.equal(tokens.scope, 'openid profile email offline_access');

      const userInfo = await client.fetchUserInfo(config, tokens.access_token, user.id!);
      assert.equal(userInfo.sub, user.id);
      assert.equal(userInfo.email, user.email);
      assert.equal(userInfo['family_name'], 'Lovelace');

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      assert.notEqual(refreshed.access_token, tokens.access_token);
      assert.equal(refreshed.claims()?.sub, user.id, 'the refreshed ID token is about the same user');
      assert.equal(refreshed.claims()?.auth_time, claims.auth_time, 'auth_time stays the original login');

      const active = await client.tokenIntrospection(config, refreshed.access_token);
      assert.equal(active.active, true);
      assert.equal(active.sub, user.id);
      assert.equal(active.client_id, app.clientId);
      const refreshIntrospection = await client.tokenIntrospection(config, tokens.refresh_token!);
      assert.equal(refreshIntrospection.active, true, 'refresh tokens are introspectable without a hint');

      await client.tokenRevocation(config, tokens.refresh_token!);
      assert.equal((await client.tokenIntrospection(config, tokens.refresh_token!)).active, false, 'the refresh token is dead');
      assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false, 'so is every access token of its grant');
      await assert.rejects(client.fetchUserInfo(config, refreshed.access_token, user.id!), 'userinfo refuses a revoked grant');
      await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (error: client.ResponseBodyError) => error.error === 'invalid_grant');

      // The SSO session still stands: a second authorization needs no password.
      const silent = await browser.get(
        client.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid', prompt: 'none', state: 'again', nonce: client.randomNonce() }).href,
      );
      assert.ok(responseParameters(silent.location).get('code'), 'prompt=none with a session gives a code');

      const logout = await browser.get(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: app.redirectUri, state: 'bye' }).href);
      assert.ok([302, 303].includes(logout.status));
      assert.equal(responseParameters(logout.location).get('state'), 'bye');
      const afterLogout = await browser.get(
        client.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid', prompt: 'none', state: 'gone', nonce: client.randomNonce() }).href,
      );
      const error = responseParameters(afterLogout.location);
      assert.equal(error.get('error'), 'login_required');
      assert.equal(error.get('state'), 'gone');
      assert.equal(error.get('iss'), server.baseUrl);
    });

    it('refuses a callback whose state was tampered with, and a code redeemed with the wrong verifier', async () => {
      const user = await createOAuthUser(server, app.application);
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: app.redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'expected',
        nonce: 'n-1',
      });
      const callback = await signInThroughPage(new Browser(server.baseUrl), url.href, user.email!);
      await assert.rejects(client.authorizationCodeGrant(config, new URL(callback.location!), { pkceCodeVerifier: verifier, expectedState: 'other', expectedNonce: 'n-1' }));
      await assert.rejects(
        client.authorizationCodeGrant(config, new URL(callback.location!), { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: 'expected', expectedNonce: 'n-1' }),
        (error: client.ResponseBodyError) => error.error === 'invalid_grant',
      );
      const tokens = await client.authorizationCodeGrant(config, new URL(callback.location!), { pkceCodeVerifier: verifier, expectedState: 'expected', expectedNonce: 'n-1' });
      assert.equal(tokens.claims()?.nonce, 'n-1', 'the refused attempts did not burn the code');
    });
  });
}
