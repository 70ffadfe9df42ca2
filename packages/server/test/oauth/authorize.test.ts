import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GrantType, Oauth2AuthorizedURLValidationPolicy, ProofKeyForCodeExchangePolicy } from '@fusionauth/typescript-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { hashAuthorizationCode } from '../../src/oauth/tokens/authorization-code-value.ts';
import { Browser, parseForm, unescapeHtml, withFields } from '../helpers/browser.ts';
import { authorizeUrl, responseParameters, s256, signInThroughPage, storedCode } from '../helpers/hosted-login.ts';
import { createOAuthApplication, createOAuthUser, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';
import type { User } from '@fusionauth/typescript-client';

const redirectUri = 'https://client.example.com/cb';
const withQuery = 'https://client.example.com/q?foo=bar';
const loopback = 'http://127.0.0.1/native';

/** REDIR-03: every one of these against the registered https://client.example.com/cb is an error page, never a redirect. */
const bypasses = [
  'https://client.example.com:443/cb',
  'https://CLIENT.EXAMPLE.COM/cb',
  'HTTPS://client.example.com/cb',
  'https://client.example.com/cb/',
  'https://client.example.com/CB',
  'https://client.example.com/cb/x',
  'https://client.example.com/c',
  'https://client.example.com/cb?x=1',
  'https://client.example.com/cb#x',
  'https://client.example.com/cb/../cb',
  'https://client.example.com/cb/%2e%2e/',
  'https://client.example.com/cb/..;/',
  'https://client.example.com@evil.com/cb',
  'https://a@b@client.example.com/cb',
  'http://client.example.com/cb',
  'https://client.example.com./cb',
  ' https://client.example.com/cb',
  'https://client.example.com/cb ',
  'https://client.example.com/cb?code=forged',
  '//client.example.com/cb',
  'javascript:alert(1)//client.example.com/cb',
];

function assertErrorPage(response: { status: number; location: string | undefined; headers: Headers; body: string }, code: string, status = 400) {
  assert.equal(response.status, status, response.body);
  assert.equal(response.location, undefined, 'no redirect');
  assert.match(String(response.headers.get('content-type')), /^text\/html/);
  assert.ok(response.body.includes(`<code>${code}</code>`), `error code ${code} shown:\n${response.body}`);
}

function assertFrameDenied(headers: Headers) {
  assert.equal(headers.get('x-frame-options'), 'DENY');
  assert.match(String(headers.get('content-security-policy')), /frame-ancestors 'none'/);
}

function halfHash(value: string): string {
  return createHash('sha256').update(value, 'ascii').digest().subarray(0, 16).toString('base64url');
}

for (const backend of backends) {
  describe(`GET|POST /oauth2/authorize on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    let user: User;
    const base = (extra: Record<string, string> = {}) => ({ client_id: app.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'xyz', ...extra });

    before(async () => {
      server = await startOAuthServer(backend);
      app = await createOAuthApplication(server, {
        redirectUri,
        oauthConfiguration: {
          authorizedRedirectURLs: [redirectUri, withQuery, loopback],
          enabledGrants: [GrantType.authorization_code, GrantType.refresh_token, GrantType.implicit],
        },
      });
      user = await createOAuthUser(server, app.application);
    });
    after(async () => {
      await server.close();
    });

    /** A browser already signed in (through the hosted page) for the default app. */
    async function signedIn(): Promise<Browser> {
      const browser = new Browser(server.baseUrl);
      const done = await signInThroughPage(browser, authorizeUrl(server, base()), user.email!);
      assert.equal(done.status, 303);
      return browser;
    }

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

    it('REDIR-01/02/05: a missing, unknown or inactive client, or a missing redirect_uri, is an error page', async () => {
      const browser = new Browser(server.baseUrl);
      assertErrorPage(await browser.get(authorizeUrl(server, { redirect_uri: redirectUri, response_type: 'code' })), 'invalid_request');
      assertErrorPage(await browser.get(authorizeUrl(server, { client_id: 'not-a-uuid', redirect_uri: redirectUri, response_type: 'code' })), 'invalid_client');
      assertErrorPage(await browser.get(authorizeUrl(server, { client_id: '00000000-0000-4000-8000-000000000000', redirect_uri: redirectUri, response_type: 'code' })), 'invalid_client');
      assertErrorPage(await browser.get(authorizeUrl(server, { client_id: app.clientId, response_type: 'code', state: 's' })), 'invalid_request');
      const inactive = await createOAuthApplication(server, { redirectUri });
      await server.client.deactivateApplication(inactive.clientId);
      assertErrorPage(await browser.get(authorizeUrl(server, { client_id: inactive.clientId, redirect_uri: redirectUri, response_type: 'code' })), 'invalid_client');
      const page = await browser.get(authorizeUrl(server, { client_id: 'not-a-uuid', redirect_uri: redirectUri, response_type: 'code' }));
      assertFrameDenied(page.headers);
    });

    it('REDIR-03: every redirect-URI bypass string is an error page, never a redirect', async () => {
      const browser = new Browser(server.baseUrl);
      for (const candidate of bypasses) {
        const response = await browser.get(authorizeUrl(server, base({ redirect_uri: candidate, prompt: 'none' })));
        assert.equal(response.status, 400, `${candidate}: ${response.status} ${response.location ?? ''}`);
        assert.equal(response.location, undefined, candidate);
      }
      const control = await browser.get(authorizeUrl(server, base({ prompt: 'none' })));
      assert.equal(control.status, 302, 'the registered URI itself is accepted');
    });

    it('REDIR-04: a registered query must match exactly and is kept; REDIR-06: any port on a loopback IP, nothing else relaxed', async () => {
      const browser = new Browser(server.baseUrl);
      const kept = await browser.get(authorizeUrl(server, base({ redirect_uri: withQuery, prompt: 'none' })));
      assert.equal(kept.status, 302);
      assert.ok(kept.location!.startsWith(`${withQuery}&error=login_required&`), kept.location);
      for (const candidate of ['https://client.example.com/q?foo=baz', 'https://client.example.com/q?foo=bar&x=1', 'https://client.example.com/q', 'https://client.example.com/q?x=1&foo=bar']) {
        assertErrorPage(await browser.get(authorizeUrl(server, base({ redirect_uri: candidate }))), 'invalid_request');
      }
      for (const port of ['51234', '80', '1']) {
        const accepted = await browser.get(authorizeUrl(server, base({ redirect_uri: `http://127.0.0.1:${port}/native`, prompt: 'none' })));
        assert.equal(accepted.status, 302, port);
        assert.ok(accepted.location!.startsWith(`http://127.0.0.1:${port}/native?error=login_required`));
      }
      for (const candidate of ['http://localhost:51234/native', 'http://127.0.0.1:51234/native/x', 'http://127.0.0.1:51234/Native', 'http://127.0.0.2:51234/native', 'http://127.0.0.1:51234/native?x=1', 'https://127.0.0.1:51234/native', 'http://[::1]:51234/native', 'http://127.0.0.1:51234@evil.com/native']) {
        assertErrorPage(await browser.get(authorizeUrl(server, base({ redirect_uri: candidate }))), 'invalid_request');
      }
    });

    it('AllowWildcards: FusionAuth wildcards match, but no replacement can leave the label, climb the path or add parameters', async () => {
      const wild = await createOAuthApplication(server, {
        redirectUri: 'https://*.example.com/cb/*',
        oauthConfiguration: { authorizedRedirectURLs: ['https://*.example.com/cb/*'], authorizedURLValidationPolicy: Oauth2AuthorizedURLValidationPolicy.AllowWildcards },
      });
      const browser = new Browser(server.baseUrl);
      const request = (candidate: string) => browser.get(authorizeUrl(server, { client_id: wild.clientId, redirect_uri: candidate, response_type: 'code', prompt: 'none' }));
      for (const candidate of ['https://tenant-1.example.com/cb/x', 'https://a.example.com/cb/done']) {
        const accepted = await request(candidate);
        assert.equal(accepted.status, 302, candidate);
        assert.ok(accepted.location!.startsWith(`${candidate}?`));
      }
      for (const candidate of [
        'https://a.b.example.com/cb/x',
        'https://evil.com/.example.com/cb/x',
        'https://evil.com#.example.com/cb/x',
        'https://x.example.com/cb/..',
        'https://x.example.com/cb/.',
        'https://x.example.com/cb/%2e%2e',
        'https://x.example.com/cb/..;/evil',
        'https://x.example.com/cb/a/b',
        'https://x.example.com@evil.com/cb/x',
        'https://x.example.com:8443/cb/x',
        'https://x.example.com/cb/x?code=1',
        'https://.example.com/cb/x',
        'http://x.example.com/cb/x',
      ]) {
        assertErrorPage(await request(candidate), 'invalid_request');
      }
    });

    it('AUTHZ-03: duplicate parameters are invalid_request (a duplicated state is not echoed; a duplicated client_id is an error page)', async () => {
      const browser = new Browser(server.baseUrl);
      const query = (extra: string) => `${server.baseUrl}/oauth2/authorize?client_id=${app.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&${extra}`;
      const twoStates = await browser.get(query('state=a&state=b'));
      assert.equal(twoStates.status, 302);
      const params = responseParameters(twoStates.location);
      assert.equal(params.get('error'), 'invalid_request');
      assert.equal(params.get('error_reason'), 'duplicate_parameter');
      assert.equal(params.get('state'), null);
      assert.equal(params.get('iss'), server.issuer);
      const twoScopes = responseParameters((await browser.get(query('state=s&scope=openid&scope=email'))).location);
      assert.equal(twoScopes.get('error'), 'invalid_request');
      assert.equal(twoScopes.get('state'), 's');
      assertErrorPage(await browser.get(`${query('state=s')}&client_id=${app.clientId}`), 'invalid_request');
      assertErrorPage(await browser.get(`${query('state=s')}&redirect_uri=${encodeURIComponent(redirectUri)}`), 'invalid_request');
    });

    it('AUTHZ-01/02/12/13/17: bad response_type, prompt, max_age, response_mode, request objects are redirected errors', async () => {
      const browser = new Browser(server.baseUrl);
      const cases: Array<[Record<string, string>, string, string?]> = [
        [{ response_type: '' }, 'invalid_request', 'missing_response_type'],
        [{ response_type: 'code id_token' }, 'unsupported_response_type'],
        [{ response_type: 'none' }, 'unsupported_response_type'],
        [{ prompt: 'none login' }, 'invalid_request', 'invalid_prompt'],
        [{ prompt: 'bogus' }, 'invalid_request', 'invalid_prompt'],
        [{ max_age: '-1' }, 'invalid_request'],
        [{ max_age: '1.5' }, 'invalid_request'],
        [{ max_age: '99999999999999999999' }, 'invalid_request'],
        [{ response_mode: 'jwt' }, 'invalid_request', 'invalid_response_mode'],
        [{ request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
        [{ request_uri: 'https://client.example.com/request.jwt' }, 'request_uri_not_supported'],
        [{ scope: 'openid unknown-scope' }, 'invalid_scope'],
        [{ scope: 'openid bad"scope' }, 'invalid_scope'],
        [{ tenantId: '00000000-0000-4000-8000-000000000000' }, 'invalid_request', 'invalid_tenant_id'],
      ];
      for (const [extra, error, reason] of cases) {
        const parameters = base(extra);
        if (extra['response_type'] === '') delete (parameters as Record<string, string>)['response_type'];
        const response = await browser.get(authorizeUrl(server, parameters));
        assert.equal(response.status, 302, JSON.stringify(extra));
        assert.ok(response.location!.startsWith(`${redirectUri}?`), 'code-type errors go in the query');
        const params = responseParameters(response.location);
        assert.equal(params.get('error'), error, JSON.stringify(extra));
        if (reason !== undefined) assert.equal(params.get('error_reason'), reason);
        assert.equal(params.get('state'), 'xyz');
        assert.equal(params.get('iss'), server.issuer);
        assert.match(params.get('error_description')!, /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/, 'RESP-07');
      }
    });

    it('AUTHZ-04/15: unknown parameters and display, ui_locales, claims_locales, acr_values are ignored; login_hint prefills the form (escaped)', async () => {
      const browser = new Browser(server.baseUrl);
      const hint = '"><script>alert(1)</script>';
      const page = await browser.get(authorizeUrl(server, base({ extra: 'foobar', display: 'popup', ui_locales: 'de', claims_locales: 'de', acr_values: 'urn:x', login_hint: hint, idp_hint: '11111111-1111-4111-8111-111111111111' })));
      assert.equal(page.status, 200);
      assert.ok(!page.body.includes('<script>alert(1)</script>'), 'escaped');
      const form = parseForm(page.body, '/oauth2/login');
      assert.deepEqual(form.fields.find(([name]) => name === 'loginId'), ['loginId', hint]);
      assert.ok(form.fields.some(([name, value]) => name === 'idp_hint' && value === '11111111-1111-4111-8111-111111111111'), 'idp_hint is kept on the pending request');
      assert.ok(!form.fields.some(([name]) => name === 'extra'), 'unknown parameters are not carried');
    });

    it('PKCE (AUTHZ-06..08): Required without a challenge, plain, a missing method, and malformed challenges are invalid_request', async () => {
      const strict = await createOAuthApplication(server, { redirectUri, oauthConfiguration: { authorizedRedirectURLs: [redirectUri], proofKeyForCodeExchangePolicy: ProofKeyForCodeExchangePolicy.Required } });
      const browser = new Browser(server.baseUrl);
      const challenge = s256(randomBytes(32).toString('base64url'));
      const request = (extra: Record<string, string>, clientId = strict.clientId) => browser.get(authorizeUrl(server, { client_id: clientId, redirect_uri: redirectUri, response_type: 'code', state: 'p', ...extra }));
      const cases: Array<[Record<string, string>, string]> = [
        [{}, 'missing_code_challenge'],
        [{ code_challenge: challenge, code_challenge_method: 'plain' }, 'invalid_pkce_code_challenge_method'],
        [{ code_challenge: challenge }, 'invalid_pkce_code_challenge_method'],
        [{ code_challenge_method: 'S256' }, 'missing_code_challenge'],
        [{ code_challenge: 'a'.repeat(42), code_challenge_method: 'S256' }, 'invalid_pkce_code_challenge'],
        [{ code_challenge: 'a'.repeat(129), code_challenge_method: 'S256' }, 'invalid_pkce_code_challenge'],
        [{ code_challenge: `${'a'.repeat(42)}+`, code_challenge_method: 'S256' }, 'invalid_pkce_code_challenge'],
        [{ code_challenge: `${'a'.repeat(42)}=`, code_challenge_method: 'S256' }, 'invalid_pkce_code_challenge'],
      ];
      for (const [extra, reason] of cases) {
        const params = responseParameters((await request(extra)).location);
        assert.equal(params.get('error'), 'invalid_request', JSON.stringify(extra));
        assert.equal(params.get('error_reason'), reason, JSON.stringify(extra));
        assert.equal(params.get('state'), 'p');
      }
      assert.equal((await request({ code_challenge: challenge, code_challenge_method: 'S256' })).status, 200, 'a valid S256 challenge reaches the login page');
      assert.equal(responseParameters((await request({ code_challenge: challenge, code_challenge_method: 'plain' }, app.clientId)).location).get('error'), 'invalid_request', 'plain is refused under every policy');
      assert.equal((await request({}, app.clientId)).status, 200, 'NotRequired: no challenge is fine');
    });

    it('POST /oauth2/authorize takes a form (AUTHZ-16); JSON is invalid_request on the error page; no CORS on the endpoint', async () => {
      const browser = new Browser(server.baseUrl);
      const page = await browser.post('/oauth2/authorize', base());
      assert.equal(page.status, 200);
      parseForm(page.body, '/oauth2/login');
      const json = await browser.request('/oauth2/authorize', { method: 'POST', body: JSON.stringify(base()), headers: { 'content-type': 'application/json' } });
      assertErrorPage(json, 'invalid_request');
      const cors = await browser.request(authorizeUrl(server, base()), { headers: { origin: 'https://evil.example' } });
      assert.equal(cors.headers.get('access-control-allow-origin'), null, 'RFC 9700 §2.6');
      const posted = await browser.request('/oauth2/authorize', { method: 'POST', form: base({ prompt: 'none' }), headers: { origin: 'https://evil.example' } });
      assert.equal(posted.status, 303, 'an error after a POST is a 303');
      assert.equal(posted.headers.get('access-control-allow-origin'), null);
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
