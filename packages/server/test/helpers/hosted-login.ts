import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hashAuthorizationCode } from '../../src/oauth/tokens/authorization-code-value.ts';
import { Browser, parseForm, withFields, type BrowserResponse } from './browser.ts';
import { testPassword, type OAuthServer } from './oauth-fixtures.ts';

/** The authorization endpoint's URL with these parameters (values set once each, in order). */
export function authorizeUrl(server: Pick<OAuthServer, 'baseUrl'>, parameters: Record<string, string>): string {
  return `${server.baseUrl}/oauth2/authorize?${new URLSearchParams(parameters).toString()}`;
}

/** The parameters of a redirect to the client: its query, or its fragment for the implicit types. */
export function responseParameters(location: string | undefined): URLSearchParams {
  assert.ok(location !== undefined, 'a Location header');
  const url = new URL(location);
  return new URLSearchParams(url.hash !== '' ? url.hash.slice(1) : url.search);
}

/** Opens the authorization URL, expects the login page, and posts the form with these credentials. */
export async function signInThroughPage(browser: Browser, url: string, loginId: string, password = testPassword): Promise<BrowserResponse> {
  const page = await browser.get(url);
  assert.equal(page.status, 200, `login page expected, got ${page.status} ${page.location ?? ''}\n${page.body}`);
  const form = parseForm(page.body, '/oauth2/login');
  return browser.post(form.action, withFields(form.fields, { loginId, password }));
}

/** The stored authorization code row for a code value (looked up by its SHA-256, the only form stored). */
export async function storedCode(server: OAuthServer, code: string) {
  return server.gatehouse.store.db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', hashAuthorizationCode(code)).executeTakeFirst();
}

/** RFC 7636 S256 challenge for a verifier. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export { Browser };
