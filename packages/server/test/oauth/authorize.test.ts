import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { User } from '@fusionauth/typescript-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { hashAuthorizationCode } from '../../src/oauth/tokens/authorization-code-value.ts';
import { Browser, parseForm, unescapeHtml, withFields } from '../helpers/browser.ts';
import { authorizeUrl, responseParameters, signInThroughPage, storedCode } from '../helpers/hosted-login.ts';
import { assertFrameDenied, authorizeParameters, redirectUri, signedInBrowser, startAuthorizeFixture } from '../helpers/authorize-fixtures.ts';
import { createOAuthApplication, createOAuthUser, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';


function halfHash(value: string): string {
  return createHash('sha256').update(value, 'ascii').digest().subarray(0, 16).toString('base64url');
}

for (const backend of backends) {
  describe(`GET|POST /oauth2/authorize on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    let user: User;
    const base = (extra: Record<string, string> = {}) => authorizeParameters(app, extra);

    before(async () => {
      ({ server, app, user } = await startAuthorizeFixture(backend));
    });
    after(async () => {
      await server.close();
    });

    /** A browser already signed in (through the hosted page) for the default app. */
    const signedIn = () => signedInBrowser({ server, app, user });

    it('code flow: login page, then 303 to the redirect URI with code, state and iss; only the code hash is stored', async () => {
      const browser = new Browser(server.baseUrl);
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = authorizeUrl(server, base({ state, nonce: 'n-1', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', scope: 'openid profile' }));
      const page = await browser.get(url);
      assert.equal(page.status, 200);
      assertFrameDenied(page.headers);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(page.headers.get('cache-control'), 'no-store');
      const form = parseForm(page.body, '/oauth2/login');
      assert.equal(form.method, 'post');
      assert.deepEqual(
        form.inputs.filter((input) => input.type !== 'hidden').map((input) => [input.name, input.type, input.autocomplete]),
        [
          ['loginId', 'text', 'username'],
          ['password', 'password', 'current-password'],
        ],
      );
      assert.ok(form.fields.some(([name]) => name === 'csrf_token'));

      const before = Date.now();
      const done = await browser.post(form.action, withFields(form.fields, { loginId: user.email!, password: testPassword }));
      assert.equal(done.status, 303, 'never 307 after the credential POST (RESP-05)');
      assert.equal(done.headers.get('cache-control'), 'no-store');
      assert.ok(done.location!.startsWith(`${redirectUri}?`));
      const params = oauth.validateAuthResponse(server.as, app.client, new URL(done.location!), state);
      const code = params.get('code')!;
      assert.equal(params.get('iss'), server.issuer);
      assert.equal(params.get('userState'), 'Authenticated');
      assert.equal(Buffer.from(code, 'base64url').length, 32, '256-bit code');

      const row = await storedCode(server, code);
      assert.ok(row, 'stored by its SHA-256');
      assert.deepEqual(row.code_hash, hashAuthorizationCode(code));
      assert.equal(row.redirect_uri, redirectUri);
      assert.equal(row.nonce, 'n-1');
      assert.equal(row.code_challenge, await oauth.calculatePKCECodeChallenge(verifier));
      assert.equal(row.code_challenge_method, 'S256');
      assert.equal(row.consumed_instant, null);
      const grant = await server.gatehouse.store.repositories.oauthGrants.find(row.grant_id);
      assert.equal(grant?.userId, user.id);
      assert.equal(grant?.applicationId, app.clientId);
      assert.equal(grant?.grantType, 'authorization_code');
      assert.deepEqual(grant?.scopes, ['openid', 'profile']);
      assert.ok(grant!.authenticatedInstant >= before);
      assert.equal(row.expiration_instant - grant!.insertInstant, 30_000, 'the tenant default: 30 s');
      const session = await server.gatehouse.store.repositories.ssoSessions.find(grant!.sessionId!);
      assert.equal(session?.userId, user.id);
      const leaked = await server.gatehouse.store.db.selectFrom('authorization_codes').select('code_hash').where('code_hash', '=', Buffer.from(code)).executeTakeFirst();
      assert.equal(leaked, undefined, 'the code value itself is stored nowhere');
    });

    it('the SSO session skips the login page (302 for a GET) and keeps auth_time; prompt=login and max_age force a new login', async () => {
      const browser = await signedIn();
      const first = await browser.get(authorizeUrl(server, base({ state: 'again' })));
      assert.equal(first.status, 302);
      const firstParams = responseParameters(first.location);
      assert.equal(firstParams.get('state'), 'again');
      const firstGrant = await server.gatehouse.store.repositories.oauthGrants.find((await storedCode(server, firstParams.get('code')!))!.grant_id);

      const fresh = await browser.get(authorizeUrl(server, base({ max_age: '10000' })));
      assert.equal(fresh.status, 302, 'max_age=10000: no re-authentication');
      const freshGrant = await server.gatehouse.store.repositories.oauthGrants.find((await storedCode(server, responseParameters(fresh.location).get('code')!))!.grant_id);
      assert.equal(freshGrant?.authenticatedInstant, firstGrant?.authenticatedInstant, 'auth_time is the session login');
      assert.equal(freshGrant?.sessionId, firstGrant?.sessionId);

      for (const extra of [{ prompt: 'login' }, { max_age: '0' }, { prompt: 'select_account' }]) {
        const page = await browser.get(authorizeUrl(server, base(extra)));
        assert.equal(page.status, 200, `${JSON.stringify(extra)} shows the login page`);
        parseForm(page.body, '/oauth2/login');
      }
      const relogin = await signInThroughPage(browser, authorizeUrl(server, base({ prompt: 'login' })), user.email!);
      assert.equal(relogin.status, 303, 'prompt=login does not loop after the login');
      const reloginGrant = await server.gatehouse.store.repositories.oauthGrants.find((await storedCode(server, responseParameters(relogin.location).get('code')!))!.grant_id);
      assert.ok(reloginGrant!.authenticatedInstant > firstGrant!.authenticatedInstant, 'a later auth_time');
      assert.notEqual(reloginGrant?.sessionId, firstGrant?.sessionId);
      assert.equal(await server.gatehouse.store.repositories.ssoSessions.find(firstGrant!.sessionId!), undefined, 'the old session is gone');
    });

    it('prompt=none: login_required without a session (with state and iss), a code with one', async () => {
      const anonymous = new Browser(server.baseUrl);
      const refused = await anonymous.get(authorizeUrl(server, base({ prompt: 'none', state: 'a b&c=d' })));
      assert.equal(refused.status, 302);
      const params = responseParameters(refused.location);
      assert.equal(params.get('error'), 'login_required');
      assert.equal(params.get('state'), 'a b&c=d', 'state echoed byte-exact');
      assert.equal(params.get('iss'), server.issuer);
      assert.ok(refused.location!.startsWith(`${redirectUri}?`));

      const browser = await signedIn();
      const silent = await browser.get(authorizeUrl(server, base({ prompt: 'none' })));
      assert.equal(silent.status, 302);
      assert.ok(responseParameters(silent.location).get('code'));
    });

    it('the session cookie: HttpOnly, SameSite=Lax, Path=/, not Secure over http; a planted value never survives the login', async () => {
      const attacker = await signedIn();
      const planted = attacker.cookies.get('gatehouse_sso')!;
      const plantedRow = await server.gatehouse.store.repositories.ssoSessions.findLive(createHash('sha256').update(planted).digest(), Date.now());
      assert.ok(plantedRow);

      const victim = new Browser(server.baseUrl);
      victim.cookies.set('gatehouse_sso', planted);
      const page = await victim.get(authorizeUrl(server, base({ prompt: 'login' })));
      const form = parseForm(page.body, '/oauth2/login');
      const done = await victim.post(form.action, withFields(form.fields, { loginId: user.email!, password: testPassword }));
      assert.equal(done.status, 303);
      const cookie = done.setCookies.find((value) => value.startsWith('gatehouse_sso='));
      assert.ok(cookie);
      const attributes = cookie.split(';').map((part) => part.trim().toLowerCase());
      assert.ok(attributes.includes('httponly'));
      assert.ok(attributes.includes('samesite=lax'));
      assert.ok(attributes.includes('path=/'));
      assert.ok(!attributes.includes('secure'), 'Secure only over https');
      assert.notEqual(victim.cookies.get('gatehouse_sso'), planted, 'rotated at login');
      assert.equal(await server.gatehouse.store.repositories.ssoSessions.find(plantedRow.id), undefined, 'the planted session is deleted');
      const sessions = await server.gatehouse.store.db.selectFrom('sso_sessions').select('token_hash').execute();
      assert.ok(!sessions.some((row) => row.token_hash.equals(Buffer.from(victim.cookies.get('gatehouse_sso')!))), 'only hashes stored');
    });

    it('implicit id_token token: fragment with access_token, token_type, expires_in, id_token (nonce, at_hash), scope, state, iss, userState', async () => {
      const browser = await signedIn();
      const response = await browser.get(authorizeUrl(server, base({ response_type: 'id_token token', nonce: 'n-implicit', scope: 'openid email' })));
      assert.equal(response.status, 302);
      assert.ok(response.location!.startsWith(`${redirectUri}#`), 'fragment (RESP-03)');
      const params = responseParameters(response.location);
      assert.deepEqual([...params.keys()], ['access_token', 'token_type', 'expires_in', 'id_token', 'scope', 'userState', 'state', 'iss']);
      assert.equal(params.get('token_type'), 'Bearer');
      assert.equal(params.get('expires_in'), '3600');
      assert.equal(params.get('scope'), 'openid email');
      assert.equal(params.get('state'), 'xyz');
      assert.equal(params.get('iss'), server.issuer);
      const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(params.get('id_token')!, jwks, { issuer: server.issuer, audience: app.clientId });
      assert.equal(payload['nonce'], 'n-implicit');
      assert.equal(payload['at_hash'], halfHash(params.get('access_token')!));
      assert.equal(payload.sub, user.id);
      assert.equal(payload['email'], user.email);
      const access = await jwtVerify(params.get('access_token')!, jwks, { issuer: server.issuer, audience: app.clientId });
      const grant = await server.gatehouse.store.repositories.oauthGrants.find(access.payload['sid'] as string);
      assert.equal(grant?.grantType, 'implicit');
      assert.equal(await server.gatehouse.store.repositories.refreshTokens.find(grant!.id), undefined, "no refresh token for implicit");

      const idOnly = responseParameters((await browser.get(authorizeUrl(server, base({ response_type: 'id_token', nonce: 'n2' })))).location);
      assert.equal(idOnly.get('access_token'), null);
      assert.equal((await jwtVerify(idOnly.get('id_token')!, jwks)).payload['at_hash'], undefined);
      const tokenOnly = responseParameters((await browser.get(authorizeUrl(server, base({ response_type: 'token' })))).location);
      assert.ok(tokenOnly.get('access_token'));
      assert.equal(tokenOnly.get('id_token'), null);
    });

    it('implicit errors: nonce required for ID tokens, never tokens in the query, unauthorized_client when implicit is disabled (in the fragment)', async () => {
      const browser = await signedIn();
      const noNonce = await browser.get(authorizeUrl(server, base({ response_type: 'id_token token' })));
      assert.ok(noNonce.location!.startsWith(`${redirectUri}#`));
      assert.equal(responseParameters(noNonce.location).get('error'), 'invalid_request');
      const inQuery = await browser.get(authorizeUrl(server, base({ response_type: 'token', response_mode: 'query' })));
      assert.ok(inQuery.location!.startsWith(`${redirectUri}#`), 'the error itself goes in the fragment');
      assert.equal(responseParameters(inQuery.location).get('error_reason'), 'invalid_response_mode');
      const codeOnly = await createOAuthApplication(server, { redirectUri, oauthConfiguration: { authorizedRedirectURLs: [redirectUri] } });
      const disabled = await browser.get(authorizeUrl(server, { client_id: codeOnly.clientId, redirect_uri: redirectUri, response_type: 'token', state: 's' }));
      assert.ok(disabled.location!.startsWith(`${redirectUri}#`));
      assert.equal(responseParameters(disabled.location).get('error'), 'unauthorized_client');
      assert.equal(responseParameters(disabled.location).get('state'), 's');
      const noNonceForCode = await browser.get(authorizeUrl(server, base()));
      assert.ok(responseParameters(noNonceForCode.location).get('code'), 'AUTHZ-10: no nonce needed for code');
    });

    it('response_mode=form_post: an auto-submitting form to the redirect URI, values escaped, no-store, script allowed by hash only', async () => {
      const browser = await signedIn();
      const state = '"><script>alert(1)</script>&amp;';
      const response = await browser.get(authorizeUrl(server, base({ response_mode: 'form_post', state })));
      assert.equal(response.status, 200);
      assert.equal(response.location, undefined);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.ok(!response.body.includes('<script>alert(1)</script>'));
      const form = parseForm(response.body);
      assert.equal(form.action, redirectUri);
      assert.equal(form.method, 'post');
      assert.deepEqual(form.fields.map(([name]) => name), ['code', 'userState', 'state', 'iss']);
      assert.deepEqual(form.fields.find(([name]) => name === 'state'), ['state', state]);
      const csp = String(response.headers.get('content-security-policy'));
      assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
      assert.match(csp, /form-action 'self' https:\/\/client\.example\.com/);
      const script = /<script>([^<]*)<\/script>/.exec(response.body)![1]!;
      assert.ok(csp.includes(`'sha256-${createHash('sha256').update(script).digest('base64')}'`));
      assert.equal(unescapeHtml('&amp;'), '&');
    });

    it('AUTHZ-14: id_token_hint with prompt=none: same user → code, another user → login_required, forged → invalid_request', async () => {
      const browser = await signedIn();
      const idToken = responseParameters((await browser.get(authorizeUrl(server, base({ response_type: 'id_token', nonce: 'h' })))).location).get('id_token')!;
      const same = await browser.get(authorizeUrl(server, base({ prompt: 'none', id_token_hint: idToken })));
      assert.ok(responseParameters(same.location).get('code'));

      const other = await createOAuthUser(server, app.application);
      const otherBrowser = new Browser(server.baseUrl);
      assert.equal((await signInThroughPage(otherBrowser, authorizeUrl(server, base()), other.email!)).status, 303);
      const mismatch = await otherBrowser.get(authorizeUrl(server, base({ prompt: 'none', id_token_hint: idToken })));
      assert.equal(responseParameters(mismatch.location).get('error'), 'login_required');

      const [header, payload] = idToken.split('.');
      const forged = `${header}.${payload}.${Buffer.from('x'.repeat(64)).toString('base64url')}`;
      const refused = await browser.get(authorizeUrl(server, base({ prompt: 'none', id_token_hint: forged })));
      assert.equal(responseParameters(refused.location).get('error'), 'invalid_request');
      assert.equal(responseParameters(refused.location).get('error_reason'), 'invalid_id_token_hint');
    });

    it('frames: authorizedOriginURLs replace X-Frame-Options DENY with frame-ancestors for those origins', async () => {
      const embedded = await createOAuthApplication(server, { redirectUri, oauthConfiguration: { authorizedRedirectURLs: [redirectUri], authorizedOriginURLs: ['https://embed.example.com', 'http://localhost:3000'] } });
      const browser = new Browser(server.baseUrl);
      const page = await browser.get(authorizeUrl(server, { client_id: embedded.clientId, redirect_uri: redirectUri, response_type: 'code' }));
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('x-frame-options'), null);
      assert.match(String(page.headers.get('content-security-policy')), /frame-ancestors https:\/\/embed\.example\.com http:\/\/localhost:3000(;|$)/);
      const plain = await browser.get(authorizeUrl(server, base()));
      assertFrameDenied(plain.headers);
    });
  });
}
