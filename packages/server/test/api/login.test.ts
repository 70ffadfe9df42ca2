import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Application, FusionAuthClient, User } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

const password = 'correct horse battery';

for (const backend of backends) {
  describe(`Login API on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;
    let keyless: FusionAuthClient;
    let application: Application;
    const tenantId = () => gatehouse.setup.defaultTenantId;

    before(async () => {
      gatehouse = await createTestApp(backend);
      let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
      ({ client, baseUrl, clientFor } = await serveWithClient(gatehouse));
      keyless = clientFor('');
      application = (
        await client.createApplication('', {
          application: {
            name: 'Login app',
            roles: [{ name: 'admin' }, { name: 'user', isDefault: true }],
            loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true, requireAuthentication: true },
          },
        })
      ).response.application!;
    });
    after(async () => {
      await gatehouse.close();
    });

    async function registeredUser(fields: Partial<User> = {}, roles = ['admin']): Promise<User> {
      const email = `${randomUUID()}@example.com`;
      const response = await client.register('', { user: { email, password, tenantId: tenantId(), ...fields }, registration: { applicationId: application.id!, roles } });
      return response.response.user!;
    }

    it('200: a signed JWT with FusionAuth claims, a refresh token and the user', async () => {
      const user = await registeredUser({ username: `name-${randomUUID()}` });
      const response = await client.login({ loginId: user.email!.toUpperCase(), password, applicationId: application.id! });
      assert.equal(response.statusCode, 200);
      const { token, refreshToken, refreshTokenId, tokenExpirationInstant } = response.response;
      assert.ok(token && refreshToken && refreshTokenId && tokenExpirationInstant);
      const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${baseUrl}/.well-known/jwks.json`)));
      assert.equal(protectedHeader.typ, 'JWT');
      assert.equal(payload.sub, user.id);
      assert.equal(payload.aud, application.id);
      assert.equal(payload['applicationId'], application.id);
      assert.deepEqual(payload['roles'], ['admin']);
      assert.equal(payload['tid'], tenantId());
      assert.equal(payload['email'], user.email);
      assert.equal(payload['preferred_username'], user.username);
      assert.equal(payload['authenticationType'], 'PASSWORD');
      assert.equal(payload['sid'], refreshTokenId);
      assert.equal(payload.iss, baseUrl);
      assert.equal((payload.exp! - payload.iat!), 3600);
      assert.equal(tokenExpirationInstant, payload.exp! * 1000);
      assert.equal(response.response.user?.id, user.id);
      assert.equal((response.response.user as Record<string, unknown>)['password'], undefined);
      assert.equal(typeof (await client.retrieveUser(user.id!)).response.user?.lastLoginInstant, 'number');

      const byUsername = await client.login({ loginId: user.username!, password, applicationId: application.id! });
      assert.equal(byUsername.statusCode, 200);
    });

    it('202 when not registered to the application, 203 when a password change is required', async () => {
      const unregistered = (await client.createUser('', { user: { email: `${randomUUID()}@example.com`, password, tenantId: tenantId() } })).response.user!;
      const notRegistered = await client.login({ loginId: unregistered.email!, password, applicationId: application.id! });
      assert.equal(notRegistered.statusCode, 202);
      assert.equal(decodeJwt(notRegistered.response.token!)['roles'], undefined);
      assert.equal(notRegistered.response.refreshToken, undefined);

      const changing = await registeredUser({ passwordChangeRequired: true });
      const change = await client.login({ loginId: changing.email!, password, applicationId: application.id! });
      assert.equal(change.statusCode, 203);
      assert.equal(change.response.changePasswordReason, 'Administrative');
    });

    it('404 with an empty body for an unknown user, a wrong password or a deactivated user; 410 when expired', async () => {
      const user = await registeredUser();
      assert.equal(await expectStatus(client.login({ loginId: `${randomUUID()}@example.com`, password, applicationId: application.id! }), 404), undefined);
      assert.equal(await expectStatus(client.login({ loginId: user.email!, password: 'wrong password', applicationId: application.id! }), 404), undefined);
      const expired = await registeredUser({ expiry: Date.now() - 1000 });
      await expectStatus(client.login({ loginId: expired.email!, password, applicationId: application.id! }), 410);
      const inactive = await registeredUser();
      await client.deactivateUser(inactive.id!);
      await expectStatus(client.login({ loginId: inactive.email!, password, applicationId: application.id! }), 404);
    });

    it('noJWT: no token and no refresh token', async () => {
      const user = await registeredUser();
      const response = await client.login({ loginId: user.email!, password, applicationId: application.id!, noJWT: true });
      assert.equal(response.statusCode, 200);
      assert.equal(response.response.token, undefined);
      assert.equal(response.response.refreshToken, undefined);
    });

    it('locks an account after the tenant\'s failed attempts, temporarily, and a lock reveals nothing before it', async () => {
      await client.patchTenant(tenantId(), { tenant: { failedAuthenticationConfiguration: { tooManyAttempts: 3, resetCountInSeconds: 60, actionDuration: 1, actionDurationUnit: 'MINUTES' } as never } });
      const user = await registeredUser();
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await expectStatus(client.login({ loginId: user.email!, password: 'wrong', applicationId: application.id! }), 404);
      }
      await expectStatus(client.login({ loginId: user.email!, password, applicationId: application.id! }), 423);
      const other = await registeredUser();
      assert.equal((await client.login({ loginId: other.email!, password, applicationId: application.id! })).statusCode, 200, 'only that user is locked');
      // The lock ends by itself: move it into the past in the store, as time would.
      await gatehouse.store.db.updateTable('login_failures').set({ locked_until_instant: Date.now() - 1 }).where('user_id', '=', user.id!).execute();
      assert.equal((await client.login({ loginId: user.email!, password, applicationId: application.id! })).statusCode, 200);
      const cleared = await gatehouse.store.db.selectFrom('login_failures').selectAll().where('user_id', '=', user.id!).execute();
      assert.deepEqual(cleared, [], 'a successful login clears the count');
      await client.patchTenant(tenantId(), { tenant: { failedAuthenticationConfiguration: { tooManyAttempts: 5 } as never } });
    });

    it('caps an absurd lock duration rather than failing to store the lock', async () => {
      const policy = (actionDuration: number, actionDurationUnit: string, tooManyAttempts: number) => ({ tenant: { failedAuthenticationConfiguration: { tooManyAttempts, actionDuration, actionDurationUnit } as never } });
      await client.patchTenant(tenantId(), policy(1e300, 'YEARS', 1));
      const user = await registeredUser();
      await expectStatus(client.login({ loginId: user.email!, password: 'wrong', applicationId: application.id! }), 404);
      await expectStatus(client.login({ loginId: user.email!, password, applicationId: application.id! }), 423);
      await client.patchTenant(tenantId(), policy(3, 'MINUTES', 5));
    });

    it('needs an API key unless the application waives it', async () => {
      const user = await registeredUser();
      await expectStatus(keyless.login({ loginId: user.email!, password, applicationId: application.id! }), 401);
      await client.patchApplication(application.id!, { application: { loginConfiguration: { requireAuthentication: false } } });
      assert.equal((await keyless.login({ loginId: user.email!, password, applicationId: application.id! })).statusCode, 200);
      await expectStatus(keyless.login({ loginId: user.email!, password }), 401, );
      await client.patchApplication(application.id!, { application: { loginConfiguration: { requireAuthentication: true } } });
    });

    it('answers malformed login requests with field errors', async () => {
      const body = await expectStatus(client.login({ loginId: '', password } as never), 400);
      assert.ok(JSON.stringify(body).includes('[tooShort]loginId'));
      const missing = await expectStatus(client.login({ password } as never), 400);
      assert.ok(JSON.stringify(missing).includes('[blank]loginId'));
      const app = await expectStatus(client.login({ loginId: 'a@example.com', password, applicationId: randomUUID() }), 400);
      assert.ok(JSON.stringify(app).includes('[invalid]applicationId'));
    });

    it('upgrades an imported hash to argon2id at the first successful login', async () => {
      const salt = Buffer.from('pepper-salt').toString('base64');
      const hash = createHash('sha256').update(`${password}${Buffer.from(salt, 'base64').toString()}`).digest('base64');
      const email = `${randomUUID()}@example.com`;
      const id = randomUUID();
      await client.importUsers({
        users: [{ id, email, password: hash, salt, encryptionScheme: 'salted-sha256', factor: 1, active: true, tenantId: tenantId(), registrations: [] }],
      });
      await client.register(id, { registration: { applicationId: application.id! } });
      const before = await gatehouse.store.db.selectFrom('users').select(['password_scheme']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(before.password_scheme, 'salted-sha256');
      assert.equal((await client.login({ loginId: email, password, applicationId: application.id! })).statusCode, 200);
      const after = await gatehouse.store.db.selectFrom('users').select(['password_scheme', 'password_hash']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(after.password_scheme, 'argon2id');
      assert.match(after.password_hash ?? '', /^\$argon2id\$/);
      assert.equal((await client.login({ loginId: email, password, applicationId: application.id! })).statusCode, 200);
    });
  });
}
