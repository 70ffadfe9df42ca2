import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { OAuthApplicationRelationship, OAuthScopeConsentMode, type User } from '@fusionauth/typescript-client';
import * as oauth from 'oauth4webapi';
import type { Browser, Page } from 'playwright-core';
import { describeInChromium, launchChromium, screenshot, startCallbackServer } from '../helpers/chromium.ts';
import { authorizeUrl, storedCode } from '../helpers/hosted-login.ts';
import { createOAuthApplication, createOAuthUser, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';

/*
 * The hosted pages in a real browser (Debian's Chromium through playwright-core): sign in, consent, land
 * on the client's redirect URI with a code; form_post submits itself; the CSP lets the stylesheet, the
 * theme style and the form_post script run and nothing else. GATEHOUSE_SCREENSHOTS=1 writes the login,
 * consent and error pages to docs/images/ (the screenshots are taken either way).
 * Under CI=true a missing Chromium fails the suite; locally it is skipped with a message.
 */

describeInChromium('hosted pages in headless Chromium', () => {
  let server: OAuthServer;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  let browser: Browser;
  let thirdParty: OAuthClientApp;
  let firstParty: OAuthClientApp;
  let user: User;
  const cspViolations: string[] = [];

  before(async () => {
    server = await startOAuthServer('pglite');
    callback = await startCallbackServer();
    thirdParty = await createOAuthApplication(server, {
      redirectUri: callback.url,
      application: { name: 'Photo Printing Co.' },
      oauthConfiguration: { authorizedRedirectURLs: [callback.url], relationship: OAuthApplicationRelationship.ThirdParty, consentMode: OAuthScopeConsentMode.AlwaysPrompt },
    });
    await server.client.createOAuthScope(thirdParty.clientId, '', { scope: { name: 'photos.read', defaultConsentMessage: 'View your photo albums', defaultConsentDetail: 'Albums and the photos in them, not your comments', required: true } });
    firstParty = await createOAuthApplication(server, { redirectUri: callback.url, application: { name: 'Gatehouse Demo' }, oauthConfiguration: { authorizedRedirectURLs: [callback.url] } });
    user = await createOAuthUser(server, thirdParty.application, { user: { email: 'ada@example.com' } as User });
    await server.client.register(user.id!, { registration: { applicationId: firstParty.clientId } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => callback?.server.close(resolve));
    await server?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 720, height: 640 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  }

  it('signs in on the login page, consents, and lands on the redirect URI with code, state and iss', async () => {
    const page = await newPage();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = authorizeUrl(server, {
      client_id: thirdParty.clientId,
      redirect_uri: callback.url,
      response_type: 'code',
      scope: 'openid profile email photos.read',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const response = await page.goto(url);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'Sign in · Gatehouse');
    // The stylesheet and the theme's variables apply under the page's CSP.
    assert.equal(await page.$eval('button[type=submit]', (element) => (globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string } }).getComputedStyle(element).backgroundColor), 'rgb(47, 95, 208)');
    await screenshot(page, 'login.png');

    await page.fill('input[name=loginId]', user.email!);
    await page.fill('input[name=password]', testPassword);
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    assert.equal(await page.title(), 'Allow access? · Gatehouse');
    assert.ok((await page.textContent('main'))?.includes('View your photo albums'));
    await screenshot(page, 'consent.png');

    await Promise.all([page.waitForURL((target) => target.href.startsWith(callback.url)), page.click('button[value=allow]')]);
    const landed = new URL(page.url());
    const params = oauth.validateAuthResponse(server.as, thirdParty.client, landed, state);
    const code = params.get('code')!;
    assert.ok(await storedCode(server, code), 'the code is stored (hashed)');
    assert.equal(landed.searchParams.get('iss'), server.issuer);
    await page.context().close();
  });

  it('response_mode=form_post: the page posts itself to the redirect URI (its script allowed by hash)', async () => {
    const page = await newPage();
    await page.goto(authorizeUrl(server, { client_id: firstParty.clientId, redirect_uri: callback.url, response_type: 'code', scope: 'openid', state: 'fp' }));
    await page.fill('input[name=loginId]', user.email!);
    await page.fill('input[name=password]', testPassword);
    await Promise.all([page.waitForURL((target) => target.href.startsWith(callback.url)), page.click('button[type=submit]')]);
    const before = callback.received.length;
    await Promise.all([
      page.waitForURL((target) => target.href === callback.url),
      page.goto(authorizeUrl(server, { client_id: firstParty.clientId, redirect_uri: callback.url, response_type: 'code', scope: 'openid', state: 'posted', response_mode: 'form_post' })),
    ]);
    const posted = callback.received.slice(before).find((entry) => entry.method === 'POST');
    assert.ok(posted, 'the callback received a POST');
    const form = new URLSearchParams(posted.body);
    assert.equal(form.get('state'), 'posted');
    assert.equal(form.get('iss'), server.issuer);
    assert.ok(await storedCode(server, form.get('code')!));
    await page.context().close();
  });

  it('shows its own error page for an unknown client (no redirect)', async () => {
    const page = await newPage();
    const response = await page.goto(authorizeUrl(server, { client_id: '00000000-0000-4000-8000-000000000000', redirect_uri: callback.url, response_type: 'code' }));
    assert.equal(response?.status(), 400);
    assert.equal(new URL(page.url()).origin, server.baseUrl);
    assert.equal(await page.title(), 'Unknown application · Gatehouse');
    await screenshot(page, 'error.png');
    await page.context().close();
  });

  it('no Content-Security-Policy violations on any page', () => {
    assert.deepEqual(cspViolations, []);
  });
});
