import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { OAuth2Configuration, User } from '@fusionauth/typescript-client';
import * as oauth from 'oauth4webapi';
import type { StoreBackend } from '../../src/store/store.ts';
import { Browser, parseForm, withFields, type BrowserResponse } from './browser.ts';
import { createOAuthApplication, createOAuthUser, postToken, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from './oauth-fixtures.ts';
import { insecure } from './token-endpoint.ts';

/** Helpers of the device authorization grant suites (RFC 8628): the device side over raw HTTP, the user side in a Browser. */

export const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §6.1's consonants and the digits 2-9: the default (randomAlphaNumeric) alphabet. */
export const defaultUserCode = /^[BCDFGHJKLMNPQRSTVWXZ2-9]{6}$/;

export interface DeviceStart {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

export function pageError(response: BrowserResponse): string | undefined {
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(response.body)?.[1];
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A form POST with a body, outside any browser. */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A device application: public (NotRequired) unless told, device and refresh_token grants, the hosted page as its verification URL. */
export async function createDeviceApplication(server: OAuthServer, oauthConfiguration: OAuth2Configuration = {}, tenantId?: string): Promise<OAuthClientApp> {
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

export interface DeviceFixture {
  readonly server: OAuthServer;
  readonly device: OAuthClientApp;
  readonly user: User;
  /** The server's metadata as oauth4webapi discovers it. */
  readonly as: oauth.AuthorizationServer;
}

/** A server on the clock `now`, a device application, a user registered to it, and the discovered metadata. */
export async function startDeviceFixture(backend: StoreBackend, now: () => number): Promise<DeviceFixture> {
  const server = await startOAuthServer(backend, { now });
  const device = await createDeviceApplication(server);
  const user = await createOAuthUser(server, device.application);
  const as = await oauth.processDiscoveryResponse(new URL(server.baseUrl), await oauth.discoveryRequest(new URL(server.baseUrl), { algorithm: 'oidc', ...insecure }));
  return { server, device, user, as };
}

/** The steps of the flow, bound to the suite's server and default user (read when a step runs, after `before`). */
export function deviceSteps(currentServer: () => OAuthServer, currentUser: () => User) {
  function createDeviceApp(oauthConfiguration: OAuth2Configuration = {}, tenantId?: string): Promise<OAuthClientApp> {
    return createDeviceApplication(currentServer(), oauthConfiguration, tenantId);
  }

  async function startDevice(app: OAuthClientApp, scope = 'openid offline_access', auth: Record<string, string> = {}, headers: Record<string, string> = {}) {
    return postForm(`${currentServer().baseUrl}/oauth2/device_authorize`, { client_id: app.clientId, scope, ...auth }, headers);
  }

  async function started(app: OAuthClientApp, scope?: string): Promise<DeviceStart> {
    const response = await startDevice(app, scope);
    assert.equal(response.status, 200, JSON.stringify(response.json));
    return response.json as unknown as DeviceStart;
  }

  function poll(app: OAuthClientApp, deviceCode: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
    return postToken(currentServer(), { grant_type: deviceGrant, device_code: deviceCode, client_id: app.clientId, ...extra }, headers);
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
  async function userApproves(userCode: string, who: User = currentUser(), decision: 'allow' | 'deny' = 'allow'): Promise<BrowserResponse> {
    const browser = new Browser(currentServer().baseUrl);
    const confirmPage = await signIn(browser, await enterCode(browser, userCode), who.email!);
    return answer(browser, confirmPage, decision);
  }

  function storedRequest(userCode: string) {
    return currentServer().gatehouse.store.db.selectFrom('device_codes').selectAll().where('user_code', '=', userCode).executeTakeFirstOrThrow();
  }

  return { createDeviceApp, startDevice, started, poll, assertPollError, enterCode, signIn, answer, userApproves, storedRequest };
}
