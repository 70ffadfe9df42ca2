import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { User } from '@fusionauth/typescript-client';
import * as oauth from 'oauth4webapi';
import { Browser, parseForm } from '../helpers/browser.ts';
import { defaultUserCode, deviceGrant, deviceSteps, postForm, sha256, startDeviceFixture, type DeviceStart } from '../helpers/device-flow.ts';
import { basicAuthorization, postToken, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';
import { insecure } from '../helpers/token-endpoint.ts';

for (const backend of backends) {
  describe(`device authorization grant (RFC 8628) on ${backend}`, () => {
    let server: OAuthServer;
    let device: OAuthClientApp;
    let user: User;
    let as: oauth.AuthorizationServer;
    const { createDeviceApp, startDevice, started, poll, assertPollError, enterCode, signIn, answer, userApproves, storedRequest } = deviceSteps(() => server, () => user);

    before(async () => {
      ({ server, device, user, as } = await startDeviceFixture(backend, () => Date.now()));
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
}
