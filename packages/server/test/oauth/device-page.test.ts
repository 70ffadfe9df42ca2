import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OAuthApplicationRelationship, OAuthScopeConsentMode, type User } from '@fusionauth/typescript-client';
import { Browser, parseForm, withFields, type BrowserResponse } from '../helpers/browser.ts';
import { deviceGrant, deviceSteps, pageError, postForm, startDeviceFixture, type DeviceStart } from '../helpers/device-flow.ts';
import { createOAuthApplication, createOAuthUser, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

for (const backend of backends) {
  describe(`device verification page (RFC 8628) on ${backend}`, () => {
    let server: OAuthServer;
    let device: OAuthClientApp;
    let user: User;
    const { createDeviceApp, started, poll, assertPollError, enterCode, signIn, answer, userApproves, storedRequest } = deviceSteps(() => server, () => user);

    before(async () => {
      ({ server, device, user } = await startDeviceFixture(backend, () => Date.now()));
    });
    after(async () => {
      await server.close();
    });

    it('validate endpoint: 200 with no body for a pending code of the client, any case and separators; 400 otherwise (FusionAuth client)', async () => {
      const other = await createDeviceApp();
      const start = await started(device);
      const valid = await server.client.validateDevice(start.user_code, device.clientId);
      assert.equal(valid.statusCode, 200);
      const typed = `${start.user_code.slice(0, 3).toLowerCase()} - ${start.user_code.slice(3).toLowerCase()}`;
      assert.equal((await server.client.validateDevice(typed, device.clientId)).statusCode, 200);
      const raw = await fetch(`${server.baseUrl}/oauth2/device/validate?${new URLSearchParams({ client_id: device.clientId, user_code: start.user_code })}`);
      assert.equal(raw.status, 200);
      assert.equal(await raw.text(), '');

      for (const [userCode, clientId] of [
        ['ZZZZZZ', device.clientId],
        [start.user_code, other.clientId],
      ] as const) {
        const response = await fetch(`${server.baseUrl}/oauth2/device/validate?${new URLSearchParams({ client_id: clientId, user_code: userCode })}`);
        assert.equal(response.status, 400);
        assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: 'The user_code is not valid: unknown, expired or already used.', error_reason: 'invalid_user_code' });
      }
      const missing = await fetch(`${server.baseUrl}/oauth2/device/validate?client_id=${device.clientId}`);
      assert.equal(missing.status, 400);
      assert.equal(((await missing.json()) as Record<string, unknown>)['error_reason'], 'missing_user_code');

      await userApproves(start.user_code);
      await assert.rejects(server.client.validateDevice(start.user_code, device.clientId), (error: { statusCode: number }) => error.statusCode === 400, 'a used code is no longer valid');
    });

    it('code entry is case-insensitive and ignores spaces and dashes (DEV-04)', async () => {
      const start = await started(device);
      const browser = new Browser(server.baseUrl);
      const typed = ` ${start.user_code.slice(0, 2).toLowerCase()}-${start.user_code.slice(2, 4)} ${start.user_code.slice(4).toLowerCase()} `;
      const loginPage = await enterCode(browser, typed);
      assert.equal(loginPage.status, 200);
      parseForm(loginPage.body, '/oauth2/device/login');
    });

    it('never auto-approves: a signed-in user following verification_uri_complete still confirms, and the device waits until then (DEV-06)', async () => {
      const browser = new Browser(server.baseUrl);
      const first = await started(device, 'openid');
      await answer(browser, await signIn(browser, await enterCode(browser, first.user_code), user.email!), 'allow');

      const start = await started(device);
      const prefilled = await browser.get(start.verification_uri_complete);
      assert.equal(prefilled.status, 200);
      const form = parseForm(prefilled.body, '/oauth2/device');
      assert.equal((await storedRequest(start.user_code)).status, 'pending');
      const confirmPage = await browser.post(form.action, form.fields);
      assert.match(confirmPage.body, /Connect this device\?/);
      assert.match(confirmPage.body, new RegExp(device.application.name!), 'the client name');
      await assertPollError(device, start.device_code, 'authorization_pending');
      assert.equal((await storedRequest(start.user_code)).status, 'pending');
      await answer(browser, confirmPage, 'allow');
      assert.equal((await poll(device, start.device_code)).status, 200);
    });

    it('every form needs its CSRF token, bound to this browser and, for the confirmation, to the session (DEV-06)', async () => {
      const start = await started(device);
      const browser = new Browser(server.baseUrl);
      const entry = parseForm((await browser.get('/oauth2/device')).body, '/oauth2/device');
      const noToken = await browser.post('/oauth2/device', [['user_code', start.user_code]]);
      assert.equal(noToken.status, 403);
      assert.match(noToken.body, /invalid_csrf_token/);
      const stranger = new Browser(server.baseUrl);
      await stranger.get('/oauth2/device');
      const strangersPost = await stranger.post('/oauth2/device', withFields(entry.fields, { user_code: start.user_code }));
      assert.equal(strangersPost.status, 403, "another browser's token");
      const crossSite = await browser.request('/oauth2/device', { method: 'POST', form: withFields(entry.fields, { user_code: start.user_code }), cookies: false });
      assert.equal(crossSite.status, 403, 'a cross-site post arrives without the SameSite=Lax cookie');

      const loginPage = await browser.post('/oauth2/device', withFields(entry.fields, { user_code: start.user_code }));
      const loginForm = parseForm(loginPage.body, '/oauth2/device/login');
      const forgedLogin = await browser.post(loginForm.action, withFields(loginForm.fields, { loginId: user.email!, password: testPassword, csrf_token: 'A'.repeat(43) }));
      assert.equal(forgedLogin.status, 403);
      assert.equal(browser.cookies.has('gatehouse_sso'), false, 'no session from a forged login');
      const confirmPage = await browser.post(loginForm.action, withFields(loginForm.fields, { loginId: user.email!, password: testPassword }));
      const confirmForm = parseForm(confirmPage.body, '/oauth2/device/confirm');
      const forged = await browser.post(confirmForm.action, withFields(confirmForm.fields, { decision: 'allow', csrf_token: 'A'.repeat(43) }));
      assert.equal(forged.status, 403);
      // Signing in again starts a new session: the page shown in the old one no longer counts.
      await browser.post(loginForm.action, withFields(loginForm.fields, { loginId: user.email!, password: testPassword }));
      const oldSession = await browser.post(confirmForm.action, withFields(confirmForm.fields, { decision: 'allow' }));
      assert.equal(oldSession.status, 403, 'a confirmation token of another session');
      assert.equal((await storedRequest(start.user_code)).status, 'pending');
      await assertPollError(device, start.device_code, 'authorization_pending');
    });

    it('third-party applications: optional scopes can be left out on the confirmation; requireRegistration refuses unregistered users', async () => {
      const thirdParty = await createDeviceApp({
        relationship: OAuthApplicationRelationship.ThirdParty,
        consentMode: OAuthScopeConsentMode.AlwaysPrompt,
        requireRegistration: true,
      });
      const registered = await createOAuthUser(server, thirdParty.application);
      const start = await started(thirdParty, 'openid profile offline_access');
      const browser = new Browser(server.baseUrl);
      const confirmPage = await signIn(browser, await enterCode(browser, start.user_code), registered.email!);
      const form = parseForm(confirmPage.body, '/oauth2/device/confirm');
      assert.deepEqual(form.fields.filter(([name]) => name === 'scope_choice').map(([, value]) => value), ['profile', 'offline_access']);
      const chosen = form.fields.filter(([name, value]) => !(name === 'scope_choice' && value === 'profile'));
      await browser.post(form.action, [...chosen, ['decision', 'allow']]);
      const tokens = await poll(thirdParty, start.device_code);
      assert.equal(tokens.status, 200);
      assert.equal(tokens.json['scope'], 'openid offline_access');

      const outsider = await createOAuthUser(server, undefined);
      const refused = await started(thirdParty, 'openid');
      const other = new Browser(server.baseUrl);
      const notRegistered = await signIn(other, await enterCode(other, refused.user_code), outsider.email!);
      assert.equal(notRegistered.status, 403);
      assert.match(notRegistered.body, /registration_required/);
      assert.equal((await storedRequest(refused.user_code)).status, 'pending');
    });

    it('a wrong password on the device login form keeps the user on it; the code is not consumed', async () => {
      const start = await started(device);
      const browser = new Browser(server.baseUrl);
      const loginPage = await enterCode(browser, start.user_code);
      const form = parseForm(loginPage.body, '/oauth2/device/login');
      const wrong = await browser.post(form.action, withFields(form.fields, { loginId: user.email!, password: 'not the password' }));
      assert.equal(wrong.status, 200);
      assert.equal(pageError(wrong), 'Invalid email, username or password.');
      parseForm(wrong.body, '/oauth2/device/login');
      assert.equal(browser.cookies.has('gatehouse_sso'), false);
      await assertPollError(device, start.device_code, 'authorization_pending');
    });
  });

  describe(`device verification brute-force limits on ${backend} (DEV-05)`, () => {
    let server: OAuthServer;
    let device: OAuthClientApp;

    before(async () => {
      server = await startOAuthServer(backend);
      device = await createOAuthApplication(server, {
        oauthConfiguration: { enabledGrants: [deviceGrant] as never, deviceVerificationURL: 'https://tv.example.com/activate', clientAuthenticationPolicy: 'NotRequired' as never },
      });
    });
    after(async () => {
      await server.close();
    });

    async function start(): Promise<DeviceStart> {
      const response = await postForm(`${server.baseUrl}/oauth2/device_authorize`, { client_id: device.clientId });
      assert.equal(response.status, 200);
      return response.json as unknown as DeviceStart;
    }

    async function tryCode(browser: Browser, typed: string): Promise<BrowserResponse> {
      const form = parseForm((await browser.get('/oauth2/device')).body, '/oauth2/device');
      return browser.post(form.action, withFields(form.fields, { user_code: typed }));
    }

    it("honours the application's verification URL", async () => {
      const started = await start();
      assert.equal(started.verification_uri, 'https://tv.example.com/activate');
      assert.equal(started.verification_uri_complete, `https://tv.example.com/activate?user_code=${started.user_code}`);
    });

    it('5 wrong codes in a browser: the 6th attempt is 429, even with the right code', async () => {
      const real = await start();
      const browser = new Browser(server.baseUrl);
      const answers: BrowserResponse[] = [];
      for (let index = 0; index < 5; index += 1) answers.push(await tryCode(browser, `WRONG${index}`));
      for (const response of answers) {
        assert.equal(response.status, 400);
        assert.equal(pageError(response), pageError(answers[0]!), 'one message for every wrong code');
      }
      const limited = await tryCode(browser, real.user_code);
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.match(pageError(limited)!, /Too many attempts/);

      const fresh = new Browser(server.baseUrl);
      const loginPage = await tryCode(fresh, real.user_code);
      assert.equal(loginPage.status, 200, 'another browser (under the IP limit) is not affected');
      parseForm(loginPage.body, '/oauth2/device/login');
    });

    it('20 wrong codes from one IP, across browsers and the validate endpoint: then every lookup is refused', async () => {
      const real = await start();
      // 5 were counted by the previous test.
      for (let index = 0; index < 10; index += 1) {
        const response = await fetch(`${server.baseUrl}/oauth2/device/validate?${new URLSearchParams({ client_id: device.clientId, user_code: `NOPE${index}` })}`);
        assert.equal(response.status, 400);
      }
      for (let index = 0; index < 5; index += 1) assert.equal((await tryCode(new Browser(server.baseUrl), `NOPE${index}`)).status, 400);
      const limited = await tryCode(new Browser(server.baseUrl), real.user_code);
      assert.equal(limited.status, 429);
      const validate = await fetch(`${server.baseUrl}/oauth2/device/validate?${new URLSearchParams({ client_id: device.clientId, user_code: real.user_code })}`);
      assert.equal(validate.status, 429);
      assert.equal(((await validate.json()) as Record<string, unknown>)['error_reason'], 'too_many_requests');
      assert.ok(validate.headers.get('retry-after'));
    });
  });
}
