import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeInChromium, launchChromium, screenshot, startCallbackServer } from '../helpers/chromium.ts';
import { startFederation, type FederationFixture } from '../helpers/federation-fixtures.ts';
import { createOAuthApplication, type OAuthClientApp } from '../helpers/oauth-fixtures.ts';
import type { UpstreamAccount } from '../helpers/upstream-provider.ts';

/*
 * The hub's pages in a real browser (Debian's Chromium through playwright-core): the login page offers the
 * upstream provider, its button signs in through a real oidc-provider and lands on the application's
 * redirect URI with a code; then the connections page lists the link, connects a second upstream account
 * and disconnects one. No console errors, no CSP violations. GATEHOUSE_SCREENSHOTS=1 writes the login page
 * with the provider button and the connections page to docs/images/ (the screenshots are taken either way).
 * Under CI=true a missing Chromium fails the suite; locally it is skipped with a message.
 */

/** Two upstream accounts of one person. */
const accounts: readonly UpstreamAccount[] = [
  { sub: 'A', email: 'ada@work.example', email_verified: true, name: 'Ada at work' },
  { sub: 'B', email: 'ada@home.example', email_verified: true, name: 'Ada at home' },
];

describeInChromium('hub pages in headless Chromium', () => {
  let fixture: FederationFixture;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let app: OAuthClientApp;
  let providerId: string;
  const consoleErrors: string[] = [];
  const navigations: string[] = [];

  before(async () => {
    fixture = await startFederation('pglite', { upstream: { accounts, revocation: true } });
    callback = await startCallbackServer();
    // Gatehouse → application: the application's redirect URI is the callback server (the upstream only knows Gatehouse's /oauth2/callback).
    app = await createOAuthApplication(fixture.server, { redirectUri: callback.url, application: { name: 'Video Studio' }, oauthConfiguration: { authorizedRedirectURLs: [callback.url] } });
    providerId = await fixture.createProvider({
      name: 'Example ID',
      buttonText: 'Sign in with Example ID',
      applicationConfiguration: { [app.clientId]: { enabled: true, createRegistration: true } },
    });
    browser = await launchChromium();
    // One context for the whole walk: the SSO cookie set by the sign-in carries the connections page.
    context = await browser.newContext({ viewport: { width: 720, height: 640 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
    // Every document request of the walk, redirects included (they commit no navigation of their own).
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) navigations.push(request.url());
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => callback?.server.close(resolve));
    await fixture?.close();
  });

  const linkCount = () => page.locator('ul.connections > li').count();

  it('the login page offers the provider; its button signs in upstream and lands on the redirect URI with a code', async () => {
    const query = new URLSearchParams({ client_id: app.clientId, redirect_uri: callback.url, response_type: 'code', scope: 'openid offline_access', state: 'hub-state' });
    const response = await page.goto(`${fixture.server.baseUrl}/oauth2/authorize?${query}`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'Sign in · Gatehouse');
    const button = page.getByRole('link', { name: 'Sign in with Example ID' });
    assert.equal(await button.isVisible(), true);
    assert.ok((await page.textContent('main'))?.includes('Sign in to continue to Video Studio.'));
    await screenshot(page, 'login-with-provider.png');

    fixture.upstream.nextLogin('A');
    const start = navigations.length;
    await Promise.all([page.waitForURL((target) => target.href.startsWith(callback.url)), button.click()]);
    assert.ok(navigations.slice(start).some((url) => url.startsWith(fixture.upstream.issuer)), `went upstream: ${JSON.stringify(navigations.slice(start))}`);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('state'), 'hub-state');
    assert.equal(landed.searchParams.get('iss'), fixture.server.issuer);
    assert.match(landed.searchParams.get('code') ?? '', /^[\w-]{20,}$/);
    assert.ok((fixture.upstream.requests.get('/token') ?? 0) >= 1, 'Gatehouse redeemed the upstream code');
    const cookies = await context.cookies(fixture.server.baseUrl);
    assert.ok(cookies.some((cookie) => cookie.name === 'gatehouse_sso' && cookie.httpOnly), 'signed in at Gatehouse');
  });

  it('the connections page lists the link as Connected and is not frameable', async () => {
    const response = await page.goto(`${fixture.server.baseUrl}/account/connections`);
    assert.equal(response?.status(), 200);
    assert.equal(response?.headers()['x-frame-options'], 'DENY');
    assert.match(response?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    assert.equal(await page.title(), 'Connected accounts · Gatehouse');
    assert.equal(await linkCount(), 1);
    const item = page.locator('ul.connections > li').first();
    assert.ok((await item.textContent())?.includes('ada@work.example'));
    assert.equal((await item.locator('.status').textContent())?.trim(), 'Connected');
    assert.equal(await page.getByRole('button', { name: 'Disconnect' }).isVisible(), true);
  });

  it('"Connect another … account" connects a second upstream account and comes back to the page', async () => {
    fixture.upstream.nextLogin('B');
    const connect = page.getByRole('link', { name: 'Connect another Example ID account' });
    assert.equal(await connect.isVisible(), true);
    // oidc-provider ends A's upstream session with its own self-submitting page before it logs B in.
    const start = navigations.length;
    await Promise.all([page.waitForURL(`${fixture.server.baseUrl}/account/connections`, { timeout: 15_000 }), connect.click()]);
    await page.waitForLoadState('load');
    assert.ok(navigations.slice(start).some((url) => url.startsWith(fixture.upstream.issuer)), `went upstream: ${JSON.stringify(navigations.slice(start))}`);
    assert.equal(await linkCount(), 2);
    const text = (await page.textContent('ul.connections')) ?? '';
    assert.ok(text.includes('ada@work.example') && text.includes('ada@home.example'), text);
    assert.equal(await page.locator('ul.connections .status', { hasText: 'Connected' }).count(), 2);
    await screenshot(page, 'connections.png');
    const links = await fixture.server.gatehouse.store.db.selectFrom('identity_provider_links').select('identity_provider_user_id').where('identity_provider_id', '=', providerId).execute();
    assert.deepEqual(links.map((link) => link.identity_provider_user_id).sort(), ['A', 'B']);
  });

  it('"Disconnect" removes one link; the page shows the other', async () => {
    const revocations = fixture.upstream.requests.get('/token/revocation') ?? 0;
    const home = page.locator('ul.connections > li', { hasText: 'ada@home.example' });
    await Promise.all([page.waitForResponse((response) => response.url() === `${fixture.server.baseUrl}/account/connections` && response.request().method() === 'GET'), home.getByRole('button', { name: 'Disconnect' }).click()]);
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/account/connections');
    assert.equal(await linkCount(), 1);
    assert.ok((await page.textContent('ul.connections'))?.includes('ada@work.example'));
    assert.equal(await page.locator('ul.connections', { hasText: 'ada@home.example' }).count(), 0);
    assert.equal(fixture.upstream.requests.get('/token/revocation'), revocations + 1);
  });

  it('no console errors and no Content-Security-Policy violations on any page', () => {
    assert.deepEqual(consoleErrors, []);
    // Chromium also asks the callback server for /favicon.ico.
    assert.equal(callback.received.filter((entry) => entry.url.startsWith('/callback')).length, 1, JSON.stringify(callback.received));
  });
});
