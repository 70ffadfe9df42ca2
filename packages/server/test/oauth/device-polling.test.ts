import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { User } from '@fusionauth/typescript-client';
import { Browser, parseForm } from '../helpers/browser.ts';
import { deviceGrant, deviceSteps, pageError, startDeviceFixture } from '../helpers/device-flow.ts';
import { postToken, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

for (const backend of backends) {
  describe(`device authorization grant (RFC 8628): polling on ${backend}`, () => {
    let server: OAuthServer;
    let offset = 0;
    let device: OAuthClientApp;
    let user: User;
    const { createDeviceApp, startDevice, started, poll, assertPollError, enterCode, userApproves, storedRequest } = deviceSteps(() => server, () => user);

    before(async () => {
      ({ server, device, user } = await startDeviceFixture(backend, () => Date.now() + offset));
    });
    afterEach(() => {
      offset = 0;
    });
    after(async () => {
      await server.close();
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
  });
}
