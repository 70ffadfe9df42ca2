import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { OAuthApplicationRelationship, OAuthScopeConsentMode, type OAuth2Configuration, type User } from '@fusionauth/typescript-client';
import * as oauth from 'oauth4webapi';
import { Browser, parseForm, withFields, type BrowserResponse } from '../helpers/browser.ts';
import { basicAuthorization, createOAuthApplication, createOAuthUser, postToken, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

const insecure = { [oauth.allowInsecureRequests]: true };
const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §6.1's consonants and the digits 2-9: the default (randomAlphaNumeric) alphabet. */
const defaultUserCode = /^[BCDFGHJKLMNPQRSTVWXZ2-9]{6}$/;

interface DeviceStart {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

function pageError(response: BrowserResponse): string | undefined {
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(response.body)?.[1];
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A form POST with a body, outside any browser. */
async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

for (const backend of backends) {
  describe(`device authorization grant (RFC 8628) on ${backend}`, () => {
    let server: OAuthServer;
    let offset = 0;
    let device: OAuthClientApp;
    let user: User;
    let as: oauth.AuthorizationServer;

    /** A device application: public (NotRequired) unless told, device and refresh_token grants, the hosted page as its verification URL. */
    async function createDeviceApp(oauthConfiguration: OAuth2Configuration = {}, tenantId?: string): Promise<OAuthClientApp> {
      return createOAuthApplication(server, {
        ...(tenantId === undefined ? {} : { tenantId }),
        oauthConfiguration: {
          enabledGrants: [deviceGrant, 'refresh_token'] as never,
          deviceVerificationURL: `${server.baseUrl}/oauth2/device`,
          clientAuthenticationPolicy: 'NotRequired' as never,
          generateRefreshTokens: true,
          ...oauthConfiguration,
        },
      });
    }

    async function startDevice(app: OAuthClientApp, scope = 'openid offline_access', auth: Record<string, string> = {}, headers: Record<string, string> = {}) {
      return postForm(`${server.baseUrl}/oauth2/device_authorize`, { client_id: app.clientId, scope, ...auth }, headers);
    }

    async function started(app: OAuthClientApp, scope?: string): Promise<DeviceStart> {
      const response = await startDevice(app, scope);
      assert.equal(response.status, 200, JSON.stringify(response.json));
      return response.json as unknown as DeviceStart;
    }

    function poll(app: OAuthClientApp, deviceCode: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
      return postToken(server, { grant_type: deviceGrant, device_code: deviceCode, client_id: app.clientId, ...extra }, headers);
    }

    async function assertPollError(app: OAuthClientApp, deviceCode: string, error: string, reason?: string) {
      const response = await poll(app, deviceCode);
      assert.equal(response.status, 400, JSON.stringify(response.json));
      assert.equal(response.json['error'], error);
      if (reason !== undefined) assert.equal(response.json['error_reason'], reason);
      assert.equal(response.headers.get('cache-control'), 'no-store');
    }

    /** Opens the verification page (optionally prefilled) and posts the code as typed. */
    async function enterCode(browser: Browser, typed: string, query = ''): Promise<BrowserResponse> {
      const page = await browser.get(`/oauth2/device${query}`);
      assert.equal(page.status, 200, page.body);
      const form = parseForm(page.body, '/oauth2/device');
      return browser.post(form.action, withFields(form.fields, { user_code: typed }));
    }

    async function signIn(browser: Browser, loginPage: BrowserResponse, loginId: string): Promise<BrowserResponse> {
      assert.equal(loginPage.status, 200, loginPage.body);
      const form = parseForm(loginPage.body, '/oauth2/device/login');
      return browser.post(form.action, withFields(form.fields, { loginId, password: testPassword }));
    }

    async function answer(browser: Browser, confirmPage: BrowserResponse, decision: 'allow' | 'deny', changes: Record<string, string> = {}): Promise<BrowserResponse> {
      assert.equal(confirmPage.status, 200, confirmPage.body);
      const form = parseForm(confirmPage.body, '/oauth2/device/confirm');
      return browser.post(form.action, withFields(form.fields, { decision, ...changes }));
    }

    /** The whole user side: code, sign-in (a new browser), confirmation. */
    async function userApproves(userCode: string, who: User = user, decision: 'allow' | 'deny' = 'allow'): Promise<BrowserResponse> {
      const browser = new Browser(server.baseUrl);
      const confirmPage = await signIn(browser, await enterCode(browser, userCode), who.email!);
      return answer(browser, confirmPage, decision);
    }

    function storedRequest(userCode: string) {
      return server.gatehouse.store.db.selectFrom('device_codes').selectAll().where('user_code', '=', userCode).executeTakeFirstOrThrow();
    }

    before(async () => {
      server = await startOAuthServer(backend, { now: () => Date.now() + offset });
      device = await createDeviceApp();
      user = await createOAuthUser(server, device.application);
      as = await oauth.processDiscoveryResponse(new URL(server.baseUrl), await oauth.discoveryRequest(new URL(server.baseUrl), { algorithm: 'oidc', ...insecure }));
    });
    afterEach(() => {
      offset = 0;
    });
    after(async () => {
      await server.close();
    });

    it('runs the seed 003 walkthrough with oauth4webapi on the device and the hosted page in the browser: tokens with a refresh token for offline_access', async () => {
      assert.equal(as.device_authorization_endpoint, `${server.baseUrl}/oauth2/device_authorize`, 'discovery lists the endpoint');
      assert.ok(as.grant_types_supported?.includes(deviceGrant));
      const client: oauth.Client = { client_id: device.clientId, id_token_signed_response_alg: 'ES256' };

      const authorizationResponse = await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: 'openid offline_access' }, insecure);
      assert.equal(authorizationResponse.headers.get('cache-control'), 'no-store');
      const start = await oauth.processDeviceAuthorizationResponse(as, client, authorizationResponse);
      assert.match(start.user_code, defaultUserCode);
      assert.match(start.device_code, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url (DEV-07)');
      assert.equal(start.verification_uri, `${server.baseUrl}/oauth2/device`, "the application's deviceVerificationURL");
      assert.equal(start.verification_uri_complete, `${server.baseUrl}/oauth2/device?user_code=${start.user_code}`);
      assert.equal(start.expires_in, 300, "the tenant's deviceCodeTimeToLiveInSeconds");
      assert.equal(start.interval, 5);

      await assert.rejects(
        oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, oauth.None(), start.device_code, insecure)),
        (error: oauth.ResponseBodyError) => error.error === 'authorization_pending',
      );

      // The user scans the QR code: the page is prefilled, nothing more (DEV-06).
      const browser = new Browser(server.baseUrl);
      const entry = await browser.get(start.verification_uri_complete!);
      assert.equal(entry.status, 200);
      assert.equal(entry.headers.get('x-frame-options'), 'DENY');
      const entryForm = parseForm(entry.body, '/oauth2/device');
      assert.equal(entryForm.fields.find(([name]) => name === 'user_code')?.[1], `${start.user_code.slice(0, 3)}-${start.user_code.slice(3)}`);
      const loginPage = await browser.post(entryForm.action, entryForm.fields);
      assert.match(loginPage.body, new RegExp(device.application.name!));
      const confirmPage = await signIn(browser, loginPage, user.email!);
      assert.equal(confirmPage.status, 200);
      assert.match(confirmPage.body, /Connect this device\?/);
      assert.match(confirmPage.body, new RegExp(`${start.user_code.slice(0, 3)}-${start.user_code.slice(3)}`), 'the code to compare with the device');
      assert.match(confirmPage.body, /Stay connected while you are away/, 'the scopes');
      assert.match(confirmPage.body, new RegExp(user.email!));
      const done = await answer(browser, confirmPage, 'allow');
      assert.equal(done.status, 200);
      assert.match(done.body, /You may return to your device/);

      const tokens = await oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, oauth.None(), start.device_code, insecure));
      assert.equal(tokens.token_type, 'bearer');
      assert.equal(tokens.scope, 'openid offline_access');
      assert.ok(tokens.refresh_token, 'offline_access with generateRefreshTokens');
      const claims = oauth.getValidatedIdTokenClaims(tokens)!;
      assert.equal(claims.sub, user.id);
      assert.equal(claims.aud, device.clientId);
      assert.equal(tokens['userId'], user.id);

      const grant = await server.gatehouse.store.db.selectFrom('oauth_grants').selectAll().where('id', '=', String(tokens['refresh_token_id'])).executeTakeFirstOrThrow();
      assert.equal(grant.grant_type, deviceGrant);
      assert.equal(grant.user_id, user.id);
      assert.equal(grant.scope, 'openid offline_access');
      const stored = await storedRequest(start.user_code);
      assert.equal(stored.status, 'redeemed');
      assert.equal(stored.grant_id, grant.id);
      assert.deepEqual(stored.device_code_hash, sha256(start.device_code), 'only the SHA-256 of the device code is stored');
      assert.equal(JSON.stringify(stored).includes(start.device_code), false);

      const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure));
      assert.ok(refreshed.access_token);

      // DEV-03: a second redemption is invalid_grant and revokes what the first one got.
      await assertPollError(device, start.device_code, 'invalid_grant', 'invalid_device_code');
      assert.notEqual((await server.gatehouse.store.db.selectFrom('oauth_grants').select('revoked_instant').where('id', '=', grant.id).executeTakeFirstOrThrow()).revoked_instant, null);
      const afterReplay = await postToken(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: device.clientId });
      assert.equal(afterReplay.status, 400);
      assert.equal(afterReplay.json['error'], 'invalid_grant');
    });

    it('without openid or offline_access: an access token only; the SSO session of the first sign-in is reused', async () => {
      const browser = new Browser(server.baseUrl);
      const first = await started(device, 'openid');
      await answer(browser, await signIn(browser, await enterCode(browser, first.user_code), user.email!), 'allow');
      const firstTokens = await poll(device, first.device_code);
      assert.equal(firstTokens.status, 200);
      assert.ok(firstTokens.json['id_token']);
      assert.equal(firstTokens.json['refresh_token'], undefined, 'no offline_access, no refresh token');

      const second = await started(device, '');
      const confirmPage = await enterCode(browser, second.user_code);
      parseForm(confirmPage.body, '/oauth2/device/confirm');
      await answer(browser, confirmPage, 'allow');
      const tokens = await poll(device, second.device_code);
      assert.equal(tokens.status, 200);
      assert.equal(tokens.json['id_token'], undefined);
      assert.equal(tokens.json['refresh_token'], undefined);
      assert.equal(tokens.json['scope'], '');
    });

    it('polling: authorization_pending, then slow_down that adds 5 s per offence and is remembered (DEV-02)', async () => {
      const start = await started(device);
      await assertPollError(device, start.device_code, 'authorization_pending');
      await assertPollError(device, start.device_code, 'slow_down');
      assert.equal((await storedRequest(start.user_code)).interval_seconds, 10);
      offset += 6_000;
      await assertPollError(device, start.device_code, 'slow_down');
      assert.equal((await storedRequest(start.user_code)).interval_seconds, 15);
      offset += 15_000;
      await assertPollError(device, start.device_code, 'authorization_pending');
      offset += 15_000;
      await assertPollError(device, start.device_code, 'authorization_pending');
      assert.equal((await storedRequest(start.user_code)).interval_seconds, 15, 'kept for later polls');
    });

    it('polling: access_denied after the user denies; nothing is granted (DEV-03)', async () => {
      const start = await started(device);
      const denied = await userApproves(start.user_code, user, 'deny');
      assert.equal(denied.status, 200);
      assert.match(denied.body, /Device denied/);
      await assertPollError(device, start.device_code, 'access_denied');
      const stored = await storedRequest(start.user_code);
      assert.equal(stored.status, 'denied');
      assert.equal(stored.grant_id, null);
    });

    it('polling: expired_token after expires_in, pending or approved; expired, used, denied and unknown codes read the same on the page (DEV-05)', async () => {
      const pending = await started(device);
      const approved = await started(device);
      const denied = await started(device);
      await userApproves(approved.user_code);
      await userApproves(denied.user_code, user, 'deny');
      const browser = new Browser(server.baseUrl);
      const answers = [await enterCode(browser, approved.user_code), await enterCode(browser, denied.user_code), await enterCode(browser, 'QQQQQQ')];
      offset += 300_000;
      await assertPollError(device, pending.device_code, 'expired_token');
      await assertPollError(device, approved.device_code, 'expired_token');
      answers.push(await enterCode(browser, pending.user_code));
      for (const again of answers) {
        assert.equal(again.status, 400);
        assert.equal(pageError(again), pageError(answers[0]!));
        parseForm(again.body, '/oauth2/device');
      }
      assert.match(pageError(answers[0]!)!, /not valid/);
    });

    it('polling: invalid_grant for an unknown code and for another client’s code, which stays redeemable by its own client (DEV-03)', async () => {
      const other = await createDeviceApp();
      const start = await started(device);
      await assertPollError(device, 'not-a-device-code', 'invalid_grant', 'invalid_device_code');
      await assertPollError(other, start.device_code, 'invalid_grant', 'client_id_mismatch');
      await userApproves(start.user_code);
      await assertPollError(other, start.device_code, 'invalid_grant', 'client_id_mismatch');
      assert.equal((await poll(device, start.device_code)).status, 200);
    });

    it('polling: invalid_request without device_code; unauthorized_client when the application does not enable the grant', async () => {
      const missing = await postToken(server, { grant_type: deviceGrant, client_id: device.clientId });
      assert.equal(missing.status, 400);
      assert.equal(missing.json['error'], 'invalid_request');
      assert.equal(missing.json['error_reason'], 'missing_device_code');

      const start = await started(device);
      await server.client.patchApplication(device.clientId, { application: { oauthConfiguration: { enabledGrants: ['refresh_token'] as never } } });
      try {
        const refused = await poll(device, start.device_code);
        assert.equal(refused.status, 400);
        assert.equal(refused.json['error'], 'unauthorized_client');
        const notStarted = await startDevice(device);
        assert.equal(notStarted.status, 400);
        assert.equal(notStarted.json['error'], 'unauthorized_client');
        assert.equal(notStarted.json['error_reason'], 'grant_type_disabled');
      } finally {
        await server.client.patchApplication(device.clientId, { application: { oauthConfiguration: { enabledGrants: [deviceGrant, 'refresh_token'] as never } } });
      }
    });

    it('a confidential client authenticates at the device authorization endpoint and at every poll (DEV-01)', async () => {
      const confidential = await createDeviceApp({ clientAuthenticationPolicy: 'Required' as never });
      const anonymous = await startDevice(confidential);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.json['error'], 'invalid_client');
      const wrong = await startDevice(confidential, 'openid', { client_secret: 'wrong' });
      assert.equal(wrong.status, 401);

      const response = await startDevice(confidential, 'openid', {}, { authorization: basicAuthorization(confidential.clientId, confidential.clientSecret) });
      assert.equal(response.status, 200);
      const start = response.json as unknown as DeviceStart;
      const unauthenticated = await poll(confidential, start.device_code);
      assert.equal(unauthenticated.status, 401);
      assert.equal(unauthenticated.json['error'], 'invalid_client');
      await userApproves(start.user_code);
      const tokens = await postToken(server, { grant_type: deviceGrant, device_code: start.device_code }, { authorization: basicAuthorization(confidential.clientId, confidential.clientSecret) });
      assert.equal(tokens.status, 200);
      assert.equal(tokens.json['userId'], user.id);
    });

    it('device authorization errors: scope policy, tenantId, form encoding, methods', async () => {
      const unknownScope = await startDevice(device, 'openid calendar');
      assert.equal(unknownScope.status, 400);
      assert.equal(unknownScope.json['error'], 'invalid_scope');
      const otherTenant = await startDevice(device, 'openid', { tenantId: randomUUID() });
      assert.equal(otherTenant.status, 400);
      assert.equal(otherTenant.json['error_reason'], 'invalid_tenant_id');
      const sameTenant = await startDevice(device, 'openid', { tenantId: server.gatehouse.setup.defaultTenantId });
      assert.equal(sameTenant.status, 200);
      const json = await fetch(`${server.baseUrl}/oauth2/device_authorize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: device.clientId }) });
      assert.equal(json.status, 400);
      assert.equal(((await json.json()) as Record<string, unknown>)['error'], 'invalid_request');
      const get = await fetch(`${server.baseUrl}/oauth2/device_authorize?client_id=${device.clientId}`);
      assert.equal(get.status, 405);
      const unknownClient = await postForm(`${server.baseUrl}/oauth2/device_authorize`, { client_id: randomUUID() });
      assert.equal(unknownClient.status, 401);
      assert.equal(await server.gatehouse.store.db.selectFrom('device_codes').select('id').where('application_id', '=', device.clientId).where('scope', '=', 'openid calendar').executeTakeFirst(), undefined);
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

    it("user codes follow the tenant's deviceUserCodeIdGenerator; the device code has 256 bits, stored as SHA-256 (DEV-04, DEV-07)", async () => {
      const defaults = (await server.client.retrieveTenant(server.gatehouse.setup.defaultTenantId)).response.tenant!;
      assert.deepEqual(defaults.externalIdentifierConfiguration?.deviceUserCodeIdGenerator, { length: 6, type: 'randomAlphaNumeric' });
      assert.equal(defaults.externalIdentifierConfiguration?.deviceCodeTimeToLiveInSeconds, 300);
      await assert.rejects(
        server.client.createTenant('', { tenant: { name: `Short codes ${randomUUID()}`, externalIdentifierConfiguration: { deviceUserCodeIdGenerator: { length: 4 } } as never } }),
        (error: { statusCode: number; exception: { fieldErrors: Record<string, Array<{ code: string }>> } }) =>
          error.statusCode === 400 && error.exception.fieldErrors['tenant.externalIdentifierConfiguration.deviceUserCodeIdGenerator.length']?.[0]?.code === '[tooSmall]tenant.externalIdentifierConfiguration.deviceUserCodeIdGenerator.length',
      );

      const tenant = (
        await server.client.createTenant('', {
          tenant: { name: `Long codes ${randomUUID()}`, externalIdentifierConfiguration: { deviceUserCodeIdGenerator: { length: 8, type: 'randomAlpha' }, deviceCodeTimeToLiveInSeconds: 600 } as never },
        })
      ).response.tenant!;
      const app = await createDeviceApp({}, tenant.id!);
      const codes = new Set<string>();
      for (let index = 0; index < 10; index += 1) {
        const start = await started(app);
        assert.match(start.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/, 'RFC 8628 §6.1 consonants, 8 characters');
        assert.equal(start.expires_in, 600);
        assert.match(start.device_code, /^[A-Za-z0-9_-]{43}$/);
        const stored = await storedRequest(start.user_code);
        assert.deepEqual(stored.device_code_hash, sha256(start.device_code));
        codes.add(start.user_code);
      }
      assert.equal(codes.size, 10);
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
