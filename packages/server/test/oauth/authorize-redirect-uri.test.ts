import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Oauth2AuthorizedURLValidationPolicy } from '@fusionauth/typescript-client';
import { Browser } from '../helpers/browser.ts';
import { authorizeUrl } from '../helpers/hosted-login.ts';
import { assertErrorPage, assertFrameDenied, authorizeParameters, redirectUri, startAuthorizeFixture, withQuery } from '../helpers/authorize-fixtures.ts';
import { createOAuthApplication, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

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

for (const backend of backends) {
  describe(`GET /oauth2/authorize: client and redirect URI checks on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    const base = (extra: Record<string, string> = {}) => authorizeParameters(app, extra);

    before(async () => {
      ({ server, app } = await startAuthorizeFixture(backend));
    });
    after(async () => {
      await server.close();
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
  });
}
