import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Application, FusionAuthClient, User } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

const password = 'correct horse battery';
const newPassword = 'a brand new passphrase';

for (const backend of backends) {
  describe(`Forgot Password and Change Password APIs on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let keyless: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    let application: Application;
    /** The app's clock runs `offset` ms ahead of the real one. */
    let offset = 0;

    before(async () => {
      gatehouse = await createTestApp(backend, { now: () => Date.now() + offset });
      ({ client, clientFor } = await serveWithClient(gatehouse));
      keyless = clientFor('');
      const loginConfiguration = { generateRefreshTokens: true, allowTokenRefresh: true, requireAuthentication: false };
      application = (await client.createApplication('', { application: { name: 'Password app', loginConfiguration } })).response.application!;
    });
    after(async () => {
      await gatehouse.close();
    });

    async function registeredUser(fields: Partial<User> = {}, tenantId = gatehouse.setup.defaultTenantId): Promise<User> {
      const user = { email: `${randomUUID()}@example.com`, password, tenantId, ...fields };
      return (await client.register('', { user, registration: { applicationId: application.id! } })).response.user!;
    }

    const storedIds = (userId: string) => gatehouse.store.db.selectFrom('one_time_ids').selectAll().where('user_id', '=', userId).execute();
    const storedUser = (userId: string) => gatehouse.store.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    const loginStatus = async (loginId: string, secret: string) => {
      try {
        return (await keyless.login({ loginId, password: secret, applicationId: application.id! })).statusCode;
      } catch (failure) {
        return (failure as { statusCode: number }).statusCode;
      }
    };

    it('forgot password → change password with the id: new password, sessions revoked, lock cleared, id used up', async () => {
      const user = await registeredUser();
      const session = (await keyless.login({ loginId: user.email!, password, applicationId: application.id! })).response;
      await gatehouse.store.db.insertInto('login_failures').values({ user_id: user.id!, failure_count: 0, window_start_instant: Date.now(), locked_until_instant: Date.now() + 600_000 }).execute();
      assert.equal(await loginStatus(user.email!, password), 423, 'locked before the change');

      const started = await client.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false, state: { returnTo: '/account' } });
      assert.equal(started.statusCode, 200);
      const changePasswordId = started.response.changePasswordId!;
      assert.ok(changePasswordId.length >= 43, 'a 256-bit id');
      const [row] = await storedIds(user.id!);
      assert.deepEqual(row?.id, createHash('sha256').update(changePasswordId).digest(), 'only the hash is stored');
      assert.equal(row?.kind, 'change-password');
      assert.equal(row?.expiration_instant, row!.insert_instant + 600_000, 'FusionAuth\'s default lifetime: 600 s');
      assert.equal((await keyless.checkChangePasswordUsingId(changePasswordId)).statusCode, 200);

      const changed = await keyless.changePassword(changePasswordId, { password: newPassword });
      assert.equal(changed.statusCode, 200);
      assert.deepEqual(changed.response.state, { returnTo: '/account' });
      assert.equal(await loginStatus(user.email!, password), 404, 'the old password is gone');
      assert.equal(await loginStatus(user.email!, newPassword), 200, 'the new one works and the lock is gone');
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);
      const stored = await storedUser(user.id!);
      assert.equal(stored.password_scheme, 'argon2id');
      assert.ok(stored.password_last_update_instant! >= row!.insert_instant);
      assert.equal((await client.retrieveUser(user.id!)).response.user?.passwordLastUpdateInstant, stored.password_last_update_instant);

      await expectStatus(keyless.changePassword(changePasswordId, { password: 'yet another passphrase' }), 404);
      await expectStatus(keyless.checkChangePasswordUsingId(changePasswordId), 404);
      assert.deepEqual(await storedIds(user.id!), [], 'single use');
    });

    it('takes the id in the body too, and a caller-chosen id; refuses a taken one', async () => {
      const user = await registeredUser();
      const chosen = `chosen-${randomUUID()}`;
      assert.equal((await client.forgotPassword({ loginId: user.email!, changePasswordId: chosen, sendForgotPasswordEmail: false })).response.changePasswordId, chosen);
      const other = await registeredUser();
      const taken = await expectStatus(client.forgotPassword({ loginId: other.email!, changePasswordId: chosen, sendForgotPasswordEmail: false }), 400);
      assert.deepEqual(errorCodes(taken), ['[duplicate]changePasswordId']);
      assert.deepEqual(await storedIds(other.id!), [], 'nothing stored for the refused request');
      const changed = await keyless.changePassword('', { changePasswordId: chosen, password: newPassword });
      assert.equal(changed.statusCode, 200);
      assert.equal(await loginStatus(user.email!, newPassword), 200);
    });

    it('Forgot Password errors: keyless 403, blank and unknown login ids, bad applications', async () => {
      const user = await registeredUser();
      await expectStatus(keyless.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false }), 403);
      assert.deepEqual(errorCodes(await expectStatus(client.forgotPassword({ sendForgotPasswordEmail: false }), 400)), ['[blank]loginId']);
      await expectStatus(client.forgotPassword({ loginId: `${randomUUID()}@example.com`, sendForgotPasswordEmail: false }), 404);
      const badApp = await expectStatus(client.forgotPassword({ loginId: user.email!, applicationId: randomUUID(), sendForgotPasswordEmail: false }), 400);
      assert.deepEqual(errorCodes(badApp), ['[invalid]applicationId']);
      await client.deactivateUser(user.id!);
      await expectStatus(client.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false }), 404);
      assert.deepEqual(await storedIds(user.id!), []);
      // A tenant-scoped key never reaches another tenant's users.
      const tenant = (await client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!;
      const scopedKey = (await client.createAPIKey('', { apiKey: { tenantId: tenant.id! } })).response.apiKey!.key!;
      const stranger = await registeredUser();
      await expectStatus(clientFor(scopedKey).forgotPassword({ loginId: stranger.email!, sendForgotPasswordEmail: false }), 404);
    });

    it('expires ids after the tenant\'s changePasswordIdTimeToLiveInSeconds', async () => {
      const tenant = (
        await client.createTenant('', { tenant: { name: `Short ids ${randomUUID()}`, externalIdentifierConfiguration: { changePasswordIdTimeToLiveInSeconds: 60 } } })
      ).response.tenant!;
      assert.equal(tenant.externalIdentifierConfiguration?.changePasswordIdTimeToLiveInSeconds, 60);
      const user = (await client.createUser('', { user: { email: `${randomUUID()}@example.com`, password, tenantId: tenant.id! } })).response.user!;
      const id = (await client.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false })).response.changePasswordId!;
      const late = (await client.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false })).response.changePasswordId!;
      offset = 59_000;
      try {
        assert.equal((await keyless.checkChangePasswordUsingId(id)).statusCode, 200);
        offset = 61_000;
        await expectStatus(keyless.checkChangePasswordUsingId(id), 404);
        await expectStatus(keyless.changePassword(id, { password: newPassword }), 404);
        await expectStatus(keyless.changePassword(late, { password: newPassword }), 404);
        // Issuing for the user again clears the expired ones out of the store.
        await client.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false });
        assert.equal((await storedIds(user.id!)).length, 1);
      } finally {
        offset = 0;
      }
    });

    it('Change Password errors with an id: blank and weak passwords (400, the id survives), wrong current password and unknown ids (404)', async () => {
      const user = await registeredUser();
      const id = (await client.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false })).response.changePasswordId!;
      assert.deepEqual(errorCodes(await expectStatus(keyless.changePassword(id, {}), 400)), ['[blank]password']);
      assert.deepEqual(errorCodes(await expectStatus(keyless.changePassword(id, { password: 'short' }), 400)), ['[tooShort]password']);
      await expectStatus(keyless.changePassword(id, { password: newPassword, currentPassword: 'not the password' }), 404);
      await expectStatus(keyless.changePassword(randomUUID(), { password: newPassword }), 404);
      assert.equal((await keyless.checkChangePasswordUsingId(id)).statusCode, 200, 'refused requests leave the id usable');
      assert.equal((await storedUser(user.id!)).password_last_update_instant, (await storedUser(user.id!)).insert_instant);
      assert.equal((await keyless.changePassword(id, { password: newPassword, currentPassword: password })).statusCode, 200);
    });

    it('gives a contested id to exactly one of two concurrent changes', async () => {
      const user = await registeredUser();
      const id = (await client.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false })).response.changePasswordId!;
      const results = await Promise.allSettled([keyless.changePassword(id, { password: newPassword }), keyless.changePassword(id, { password: 'the other passphrase' })]);
      const statuses = results.map((result) => (result.status === 'fulfilled' ? result.value.statusCode : (result.reason as { statusCode: number }).statusCode)).sort();
      assert.deepEqual(statuses, [200, 404]);
    });

    it('changes a password by login id with an API key: current password checked when sent', async () => {
      const user = await registeredUser();
      const session = (await keyless.login({ loginId: user.email!, password, applicationId: application.id! })).response;
      const changed = await client.changePasswordByIdentity({ loginId: user.email!, currentPassword: password, password: newPassword });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.response, undefined, 'no body with an API key');
      assert.equal(await loginStatus(user.email!, newPassword), 200);
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);
      assert.equal((await client.changePasswordByIdentity({ loginId: user.email!, password })).statusCode, 200, 'currentPassword is optional');

      const wrong = await expectStatus(client.changePasswordByIdentity({ loginId: user.email!, currentPassword: 'not the password', password: newPassword }), 400);
      assert.deepEqual(errorCodes(wrong), ['[invalid]currentPassword']);
      const unknown = await expectStatus(client.changePasswordByIdentity({ loginId: `${randomUUID()}@example.com`, password: newPassword }), 400);
      assert.deepEqual(errorCodes(unknown), ['[invalid]loginId']);
      assert.deepEqual(errorCodes(await expectStatus(client.changePasswordByIdentity({ loginId: user.email!, password: 'short' }), 400)), ['[tooShort]password']);
      assert.deepEqual(errorCodes(await expectStatus(client.changePasswordByIdentity({ loginId: user.email! }), 400)), ['[blank]password']);
      assert.deepEqual(errorCodes(await expectStatus(client.changePasswordByIdentity({ password: newPassword }), 400)), ['[invalid]']);
      await expectStatus(keyless.changePasswordByIdentity({ loginId: user.email!, password: newPassword }), 401);
      assert.equal(await loginStatus(user.email!, password), 200, 'refused changes changed nothing');

      assert.equal((await client.checkChangePasswordUsingLoginId(user.email!)).statusCode, 200);
      await expectStatus(client.checkChangePasswordUsingLoginId(`${randomUUID()}@example.com`), 404);
      await expectStatus(keyless.checkChangePasswordUsingLoginId(user.email!), 401);
    });

    it('changes a password with the user\'s JWT and the current password', async () => {
      const user = await registeredUser();
      const { token } = (await keyless.login({ loginId: user.email!, password, applicationId: application.id! })).response;
      assert.equal((await keyless.checkChangePasswordUsingJWT(token!)).statusCode, 200);
      assert.deepEqual(errorCodes(await expectStatus(keyless.changePasswordByJWT(token!, { password: newPassword }), 400)), ['[blank]currentPassword']);
      await expectStatus(keyless.changePasswordByJWT(token!, { currentPassword: 'not the password', password: newPassword }), 404);
      await expectStatus(keyless.changePasswordByJWT(`${token!.slice(0, -4)}AAAA`, { currentPassword: password, password: newPassword }), 401);
      await expectStatus(keyless.checkChangePasswordUsingJWT('not-a-jwt'), 401);
      assert.equal((await keyless.changePasswordByJWT(token!, { currentPassword: password, password: newPassword })).statusCode, 200);
      assert.equal(await loginStatus(user.email!, newPassword), 200);
    });

    it('login 203 hands out a change-password id; changing the password clears passwordChangeRequired', async () => {
      const user = await registeredUser({ passwordChangeRequired: true });
      const required = await keyless.login({ loginId: user.email!, password, applicationId: application.id! });
      assert.equal(required.statusCode, 203);
      assert.equal(required.response.changePasswordReason, 'Administrative');
      const id = required.response.changePasswordId!;
      assert.ok(id);
      assert.equal((await keyless.checkChangePasswordUsingId(id)).statusCode, 200);
      assert.equal((await keyless.changePassword(id, { password: newPassword })).statusCode, 200);
      assert.equal((await client.retrieveUser(user.id!)).response.user?.passwordChangeRequired, false);
      assert.equal(await loginStatus(user.email!, newPassword), 200);
    });

    it('a change with an id proves the email: an unverified user becomes verified (implicitEmailVerificationAllowed)', async () => {
      const user = (await client.createUser('', { user: { email: `${randomUUID()}@example.com`, password, tenantId: gatehouse.setup.defaultTenantId, verified: false } as User })).response.user!;
      assert.equal(user.verified, false);
      await client.changePasswordByIdentity({ loginId: user.email!, password: newPassword });
      assert.equal((await client.retrieveUser(user.id!)).response.user?.verified, false, 'a login-id change proves nothing');
      const id = (await client.forgotPassword({ loginId: user.email!, sendForgotPasswordEmail: false })).response.changePasswordId!;
      await keyless.changePassword(id, { password });
      const verified = (await client.retrieveUser(user.id!)).response.user!;
      assert.equal(verified.verified, true);
      assert.equal(typeof verified.verifiedInstant, 'number');
    });
  });
}
