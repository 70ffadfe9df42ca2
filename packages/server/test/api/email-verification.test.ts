import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, Tenant, User } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

const password = 'correct horse battery';

for (const backend of backends) {
  describe(`Verify Email and Resend Verification APIs on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let keyless: FusionAuthClient;
    /** A tenant with emailConfiguration.verifyEmail, and a client that works in it. */
    let verifying: Tenant;
    let inVerifying: FusionAuthClient;
    let offset = 0;

    before(async () => {
      gatehouse = await createTestApp(backend, { now: () => Date.now() + offset });
      let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
      ({ client, clientFor } = await serveWithClient(gatehouse));
      keyless = clientFor('');
      verifying = (await client.createTenant('', { tenant: { name: `Verifying ${randomUUID()}`, emailConfiguration: { verifyEmail: true } } })).response.tenant!;
      inVerifying = clientFor(gatehouse.apiKey, verifying.id!);
    });
    after(async () => {
      await gatehouse.close();
    });

    const newUser = async (fields: Partial<User> = {}, skipVerification = false) => {
      const response = await inVerifying.createUser('', { user: { email: `${randomUUID()}@example.com`, password, ...fields }, skipVerification });
      return response.response;
    };
    const storedIds = (userId: string) => gatehouse.store.db.selectFrom('one_time_ids').selectAll().where('user_id', '=', userId).execute();

    it('tenant defaults: verification off, a 24 h id lifetime; users of such tenants start verified', async () => {
      const tenant = (await client.retrieveTenant(gatehouse.setup.defaultTenantId)).response.tenant!;
      assert.equal(tenant.emailConfiguration?.verifyEmail, false);
      assert.equal(tenant.externalIdentifierConfiguration?.emailVerificationIdTimeToLiveInSeconds, 86_400);
      assert.equal(verifying.emailConfiguration?.verifyEmail, true);
      const created = await client.createUser('', { user: { email: `${randomUUID()}@example.com`, password, tenantId: gatehouse.setup.defaultTenantId } });
      assert.equal(created.response.user?.verified, true);
      assert.equal(created.response.user?.verifiedInstant, created.response.user?.insertInstant);
      assert.equal(created.response.emailVerificationId, undefined);
      await expectStatus(client.generateEmailVerificationId(created.response.user!.email!), 403);
    });

    it('creates users unverified with an emailVerificationId; the id verifies the email once', async () => {
      const created = await newUser();
      const user = created.user!;
      assert.equal(user.verified, false);
      assert.equal(user.verifiedInstant, undefined);
      const id = created.emailVerificationId!;
      assert.ok(id);
      const [row] = await storedIds(user.id!);
      assert.deepEqual(row?.id, createHash('sha256').update(id).digest(), 'only the hash is stored');
      assert.equal(row?.expiration_instant, row!.insert_instant + 86_400_000);

      assert.equal((await keyless.verifyEmailAddress({ verificationId: id })).statusCode, 200);
      const verified = (await client.retrieveUser(user.id!)).response.user!;
      assert.equal(verified.verified, true);
      assert.equal(typeof verified.verifiedInstant, 'number');
      await expectStatus(keyless.verifyEmailAddress({ verificationId: id }), 404);
      assert.deepEqual(await storedIds(user.id!), []);

      const skipped = await newUser({}, true);
      assert.equal(skipped.user?.verified, true);
      assert.equal(skipped.emailVerificationId, undefined);
      const usernameOnly = await inVerifying.createUser('', { user: { username: `name-${randomUUID()}`, password } });
      assert.equal(usernameOnly.response.emailVerificationId, undefined, 'nothing to verify without an email');
    });

    it('resends: a new id replaces the previous one; the URL form verifies too', async () => {
      const created = await newUser();
      const email = created.user!.email!;
      const resent = await inVerifying.generateEmailVerificationId(email.toUpperCase());
      assert.equal(resent.statusCode, 200);
      const id = resent.response.verificationId!;
      assert.notEqual(id, created.emailVerificationId);
      await expectStatus(keyless.verifyEmailAddress({ verificationId: created.emailVerificationId! }), 404);
      assert.equal((await inVerifying.resendEmailVerification(email)).statusCode, 200, 'the send flag is ignored: nothing is sent');
      const latest = (await inVerifying.generateEmailVerificationId(email)).response.verificationId!;
      assert.equal((await keyless.verifyEmail(latest)).statusCode, 200);
      assert.equal((await client.retrieveUser(created.user!.id!)).response.user?.verified, true);
    });

    it('refuses expired ids, and ids issued for an email the user no longer has', async () => {
      const first = await newUser();
      offset = 86_400_000 + 1_000;
      try {
        await expectStatus(keyless.verifyEmailAddress({ verificationId: first.emailVerificationId! }), 404);
      } finally {
        offset = 0;
      }
      assert.equal((await client.retrieveUser(first.user!.id!)).response.user?.verified, false);

      const second = await newUser();
      await client.patchUser(second.user!.id!, { user: { email: `${randomUUID()}@example.com` } });
      await expectStatus(keyless.verifyEmailAddress({ verificationId: second.emailVerificationId! }), 404);
      assert.equal((await client.retrieveUser(second.user!.id!)).response.user?.verified, false);
    });

    it('verifies administratively by userId with an API key', async () => {
      const created = await newUser();
      assert.equal((await client.verifyEmailAddressByUserId({ userId: created.user!.id! })).statusCode, 200);
      assert.equal((await client.retrieveUser(created.user!.id!)).response.user?.verified, true);
      assert.deepEqual(await storedIds(created.user!.id!), [], 'the outstanding id is retired');
      await expectStatus(client.verifyEmailAddressByUserId({ userId: randomUUID() }), 404);
      const other = await newUser();
      await expectStatus(keyless.verifyEmailAddressByUserId({ userId: other.user!.id! }), 401);
      assert.equal((await client.retrieveUser(other.user!.id!)).response.user?.verified, false);
      assert.deepEqual(errorCodes(await expectStatus(keyless.verifyEmailAddress({}), 400)), ['[blank]verificationId']);
      await expectStatus(keyless.verifyEmailAddress({ verificationId: randomUUID() }), 404);
    });

    it('Resend errors: keyless 403, blank email, unknown user, bad application', async () => {
      const created = await newUser();
      const email = created.user!.email!;
      await expectStatus(keyless.resendEmailVerification(email), 403);
      assert.deepEqual(errorCodes(await expectStatus(inVerifying.generateEmailVerificationId(''), 400)), ['[blank]email']);
      await expectStatus(inVerifying.generateEmailVerificationId(`${randomUUID()}@example.com`), 404);
      const badApp = await expectStatus(inVerifying.resendEmailVerificationWithApplicationTemplate(randomUUID(), email), 400);
      assert.deepEqual(errorCodes(badApp), ['[invalid]applicationId']);
      assert.equal((await storedIds(created.user!.id!)).length, 1, 'only the id from create');
    });
  });
}
