import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ProofKeyForCodeExchangePolicy } from '@fusionauth/typescript-client';
import { Browser, parseForm } from '../helpers/browser.ts';
import { authorizeUrl, responseParameters, s256 } from '../helpers/hosted-login.ts';
import { assertErrorPage, authorizeParameters, redirectUri, startAuthorizeFixture } from '../helpers/authorize-fixtures.ts';
import { createOAuthApplication, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

for (const backend of backends) {
  describe(`GET|POST /oauth2/authorize: request parameters on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    const base = (extra: Record<string, string> = {}) => authorizeParameters(app, extra);

    before(async () => {
      ({ server, app } = await startAuthorizeFixture(backend));
    });
    after(async () => {
      await server.close();
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
  });
}
