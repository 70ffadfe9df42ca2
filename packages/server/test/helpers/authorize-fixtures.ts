import assert from 'node:assert/strict';
import { GrantType, type User } from '@fusionauth/typescript-client';
import type { StoreBackend } from '../../src/store/store.ts';
import { Browser } from './browser.ts';
import { authorizeUrl, signInThroughPage } from './hosted-login.ts';
import { createOAuthApplication, createOAuthUser, startOAuthServer, type OAuthClientApp, type OAuthServer } from './oauth-fixtures.ts';

/** The /oauth2/authorize suites' client: three registered redirect URIs and the code, refresh and implicit grants. */
export const redirectUri = 'https://client.example.com/cb';
export const withQuery = 'https://client.example.com/q?foo=bar';
export const loopback = 'http://127.0.0.1/native';

export interface AuthorizeFixture {
  readonly server: OAuthServer;
  readonly app: OAuthClientApp;
  readonly user: User;
}

/** A started server, the suites' application, and a user registered to it. */
export async function startAuthorizeFixture(backend: StoreBackend): Promise<AuthorizeFixture> {
  const server = await startOAuthServer(backend);
  const app = await createOAuthApplication(server, {
    redirectUri,
    oauthConfiguration: {
      authorizedRedirectURLs: [redirectUri, withQuery, loopback],
      enabledGrants: [GrantType.authorization_code, GrantType.refresh_token, GrantType.implicit],
    },
  });
  const user = await createOAuthUser(server, app.application);
  return { server, app, user };
}

/** The default authorization request of `app`, with `extra` on top. */
export function authorizeParameters(app: OAuthClientApp, extra: Record<string, string> = {}) {
  return { client_id: app.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'xyz', ...extra };
}

/** A browser already signed in (through the hosted page) for the default app. */
export async function signedInBrowser({ server, app, user }: AuthorizeFixture): Promise<Browser> {
  const browser = new Browser(server.baseUrl);
  const done = await signInThroughPage(browser, authorizeUrl(server, authorizeParameters(app)), user.email!);
  assert.equal(done.status, 303);
  return browser;
}

export function assertErrorPage(response: { status: number; location: string | undefined; headers: Headers; body: string }, code: string, status = 400) {
  assert.equal(response.status, status, response.body);
  assert.equal(response.location, undefined, 'no redirect');
  assert.match(String(response.headers.get('content-type')), /^text\/html/);
  assert.ok(response.body.includes(`<code>${code}</code>`), `error code ${code} shown:\n${response.body}`);
}

export function assertFrameDenied(headers: Headers) {
  assert.equal(headers.get('x-frame-options'), 'DENY');
  assert.match(String(headers.get('content-security-policy')), /frame-ancestors 'none'/);
}
