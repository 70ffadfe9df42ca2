import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GrantType, type User } from '@fusionauth/typescript-client';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { Browser, parseForm, type BrowserResponse } from '../helpers/browser.ts';
import { authorizeUrl, responseParameters, signInThroughPage } from '../helpers/hosted-login.ts';
import { createOAuthApplication, createOAuthUser, mintGrantTokens, startOAuthServer, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

const redirectUri = 'https://client.example.com/cb';
const afterLogout = 'https://client.example.com/signed-out';

function logoutUrl(server: OAuthServer, parameters: Record<string, string>): string {
  return `${server.baseUrl}/oauth2/logout?${new URLSearchParams(parameters).toString()}`;
}

function assertNoRedirect(response: BrowserResponse, status = 400) {
  assert.equal(response.status, status, response.body);
  assert.equal(response.location, undefined);
}

for (const backend of backends) {
  describe(`GET|POST /oauth2/logout on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    let user: User;

    before(async () => {
      server = await startOAuthServer(backend);
      app = await createOAuthApplication(server, {
        redirectUri,
        oauthConfiguration: { authorizedRedirectURLs: [redirectUri, afterLogout], enabledGrants: [GrantType.authorization_code, GrantType.implicit, GrantType.refresh_token] },
      });
      user = await createOAuthUser(server, app.application);
    });
    after(async () => {
      await server.close();
    });

    /** A signed-in browser and an ID token it received through the implicit flow. */
    async function signedIn(who: User = user): Promise<{ browser: Browser; idToken: string }> {
      const browser = new Browser(server.baseUrl);
      const done = await signInThroughPage(browser, authorizeUrl(server, { client_id: app.clientId, redirect_uri: redirectUri, response_type: 'id_token', scope: 'openid', nonce: 'n' }), who.email!);
      assert.equal(done.status, 303);
      return { browser, idToken: responseParameters(done.location).get('id_token')! };
    }

    /** Whether the browser's SSO cookie still names a live session (its row is looked up by hash). */
    async function signedInNow(browser: Browser): Promise<boolean> {
      const cookie = browser.cookies.get('gatehouse_sso');
      if (cookie === undefined) return false;
      return (await server.gatehouse.store.repositories.ssoSessions.findLive(createHash('sha256').update(cookie).digest(), Date.now())) !== undefined;
    }

    async function silentAuthorize(browser: Browser): Promise<string | null> {
      const response = await browser.get(authorizeUrl(server, { client_id: app.clientId, redirect_uri: redirectUri, response_type: 'code', prompt: 'none' }));
      return responseParameters(response.location).get('error');
    }

    it('LOGOUT-01: a genuine id_token_hint and a registered post_logout_redirect_uri end the session and redirect with state', async () => {
      const { browser, idToken } = await signedIn();
      const cookie = browser.cookies.get('gatehouse_sso')!;
      assert.equal(await silentAuthorize(browser), null);
      const response = await browser.get(logoutUrl(server, { id_token_hint: idToken, post_logout_redirect_uri: afterLogout, state: 'bye & see you' }));
      assert.equal(response.status, 302);
      assert.equal(response.location, `${afterLogout}?state=bye+%26+see+you`);
      assert.equal(new URL(response.location!).searchParams.get('state'), 'bye & see you');
      const cleared = response.setCookies.find((cookie) => cookie.startsWith('gatehouse_sso='));
      assert.ok(cleared && /expires=Thu, 01 Jan 1970/i.test(cleared), cleared);
      assert.equal(browser.cookies.has('gatehouse_sso'), false);
      const row = await server.gatehouse.store.db.selectFrom('sso_sessions').select('id').where('token_hash', '=', createHash('sha256').update(cookie).digest()).executeTakeFirst();
      assert.equal(row, undefined, 'the session row is deleted');
      assert.equal(await silentAuthorize(browser), 'login_required');
      browser.cookies.set('gatehouse_sso', cookie);
      assert.equal(await silentAuthorize(browser), 'login_required', 'the old cookie is dead too');
    });

    it('an expired but genuine hint is accepted (LOGOUT-05); refresh tokens survive the logout, as in FusionAuth', async () => {
      const { browser } = await signedIn();
      const minted = await mintGrantTokens(server, app, user, { now: Date.now() - 2 * 3_600_000, refreshToken: true });
      assert.ok(decodeJwt(minted.idToken!).exp! * 1000 < Date.now(), 'expired');
      const response = await browser.get(logoutUrl(server, { id_token_hint: minted.idToken!, post_logout_redirect_uri: afterLogout }));
      assert.equal(response.status, 302);
      assert.equal(response.location, afterLogout);
      assert.ok(await server.gatehouse.store.repositories.refreshTokens.find(minted.grantId), 'the refresh token is not revoked');
    });

    it('LOGOUT-02 / ORED-01: an unregistered post_logout_redirect_uri, or a registered one with a query added, is an error page', async () => {
      const { browser, idToken } = await signedIn();
      for (const candidate of [`${afterLogout}?foo=bar`, 'https://evil.example/signed-out', `${afterLogout}/`, 'https://client.example.com@evil.example/signed-out', 'https://client.example.com/signed-out/..;/x']) {
        assertNoRedirect(await browser.get(logoutUrl(server, { id_token_hint: idToken, post_logout_redirect_uri: candidate })));
      }
      assert.equal(await signedInNow(browser), true, 'still signed in');
    });

    it('LOGOUT-04: a hint signed by a foreign key or re-encoded with alg none is rejected, no redirect', async () => {
      const { browser, idToken } = await signedIn();
      const header = decodeProtectedHeader(idToken);
      const { privateKey } = await generateKeyPair('ES256');
      const foreign = await new SignJWT(decodeJwt(idToken)).setProtectedHeader({ alg: 'ES256', kid: header.kid!, typ: 'JWT' }).sign(privateKey);
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${idToken.split('.')[1]}.`;
      for (const hint of [foreign, none, 'not-a-jwt']) {
        const response = await browser.get(logoutUrl(server, { id_token_hint: hint, post_logout_redirect_uri: afterLogout }));
        assertNoRedirect(response);
        assert.ok(response.body.includes('invalid_request'));
      }
      assert.equal(await signedInNow(browser), true);
    });

    it('LOGOUT-05: a client_id other than the hint audience is an error', async () => {
      const { browser, idToken } = await signedIn();
      const other = await createOAuthApplication(server, { redirectUri, oauthConfiguration: { authorizedRedirectURLs: [afterLogout] } });
      assertNoRedirect(await browser.get(logoutUrl(server, { id_token_hint: idToken, client_id: other.clientId, post_logout_redirect_uri: afterLogout })));
      assertNoRedirect(await browser.get(logoutUrl(server, { client_id: '00000000-0000-4000-8000-000000000000' })));
      const same = await browser.get(logoutUrl(server, { id_token_hint: idToken, client_id: app.clientId, post_logout_redirect_uri: afterLogout }));
      assert.equal(same.status, 302);
    });

    it('LOGOUT-03/06: without a hint, a confirmation form with a CSRF token bound to the session; a wrong token is 403', async () => {
      const { browser } = await signedIn();
      assertNoRedirect(await browser.get(logoutUrl(server, { post_logout_redirect_uri: afterLogout })), 400);
      const page = await browser.get(logoutUrl(server, { client_id: app.clientId, post_logout_redirect_uri: afterLogout, state: 's1' }));
      assertNoRedirect(page, 200);
      assert.equal(page.headers.get('x-frame-options'), 'DENY');
      assert.match(String(page.headers.get('content-security-policy')), /frame-ancestors 'none'/);
      const form = parseForm(page.body, '/oauth2/logout');
      assert.equal(form.method, 'post');
      assert.ok(form.fields.some(([name]) => name === 'csrf_token'));
      assert.equal(await signedInNow(browser), true, 'not signed out by a GET');

      // Without a token the post is a new logout request: it gets the confirmation page again, nothing ends.
      const withoutToken = await browser.post('/oauth2/logout', form.fields.filter(([name]) => name !== 'csrf_token'));
      assertNoRedirect(withoutToken, 200);
      parseForm(withoutToken.body, '/oauth2/logout');
      assert.equal(await signedInNow(browser), true);
      const forgedToken = form.fields.map(([name, value]): [string, string] => [name, name === 'csrf_token' ? createHash('sha256').update(value).digest('base64url') : value]);
      assert.equal((await browser.post('/oauth2/logout', forgedToken)).status, 403);
      assert.equal((await browser.request('/oauth2/logout', { method: 'POST', form: form.fields, cookies: false })).status, 403, 'cross-site: no cookies');
      assert.equal(await signedInNow(browser), true);

      const confirmed = await browser.post('/oauth2/logout', form.fields);
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.location, `${afterLogout}?state=s1`);
      assert.equal(await signedInNow(browser), false);
    });

    it('a hint for another user than the signed-in one asks for confirmation instead of signing out', async () => {
      const other = await createOAuthUser(server, app.application);
      const { idToken } = await signedIn(other);
      const { browser } = await signedIn();
      const response = await browser.get(logoutUrl(server, { id_token_hint: idToken, post_logout_redirect_uri: afterLogout }));
      assertNoRedirect(response, 200);
      parseForm(response.body, '/oauth2/logout');
      assert.equal(await signedInNow(browser), true);
    });

    it('redirect precedence: post_logout_redirect_uri, then the application logoutURL, then the tenant logoutURL, else the signed-out page', async () => {
      const confirmAndFollow = async (parameters: Record<string, string>) => {
        const { browser } = await signedIn();
        const page = await browser.get(logoutUrl(server, parameters));
        return browser.post('/oauth2/logout', parseForm(page.body, '/oauth2/logout').fields);
      };
      const plain = await confirmAndFollow({});
      assert.equal(plain.status, 200);
      assert.ok(plain.body.includes('You are signed out'));

      await server.client.patchTenant(server.gatehouse.setup.defaultTenantId, { tenant: { logoutURL: 'https://tenant.example.com/bye' } });
      try {
        assert.equal((await confirmAndFollow({})).location, 'https://tenant.example.com/bye');
        await server.client.patchApplication(app.clientId, { application: { oauthConfiguration: { logoutURL: 'https://client.example.com/app-bye' } } });
        assert.equal((await confirmAndFollow({ client_id: app.clientId })).location, 'https://client.example.com/app-bye');
        assert.equal((await confirmAndFollow({ client_id: app.clientId, post_logout_redirect_uri: afterLogout })).location, afterLogout);
      } finally {
        await server.client.patchTenant(server.gatehouse.setup.defaultTenantId, { tenant: { logoutURL: '' } });
        await server.client.patchApplication(app.clientId, { application: { oauthConfiguration: { logoutURL: '' } } });
      }
    });

    it('POST with a form works like GET; duplicated parameters are refused', async () => {
      const { browser, idToken } = await signedIn();
      const posted = await browser.post('/oauth2/logout', { id_token_hint: idToken, post_logout_redirect_uri: afterLogout });
      assert.equal(posted.status, 303);
      assert.equal(posted.location, afterLogout);
      assertNoRedirect(await browser.get(`${logoutUrl(server, { state: 'a' })}&state=b`));
    });
  });
}
