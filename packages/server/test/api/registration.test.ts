import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Application, FusionAuthClient } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

for (const backend of backends) {
  describe(`/api/user/registration on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let application: Application;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client } = await serveWithClient(gatehouse));
      application = (
        await client.createApplication('', {
          application: { name: 'Registrations', roles: [{ name: 'admin' }, { name: 'user', isDefault: true }, { name: 'viewer', isDefault: true }] },
        })
      ).response.application!;
    });
    after(async () => {
      await gatehouse.close();
    });

    async function newUser() {
      return (await client.createUser('', { user: { email: `${randomUUID()}@example.com`, password: 'correct horse battery', tenantId: gatehouse.setup.defaultTenantId } })).response.user!;
    }

    it('registers a user with the roles asked for, or the default roles', async () => {
      const first = await newUser();
      const registered = await client.register(first.id!, { registration: { applicationId: application.id!, roles: ['admin'], data: { plan: 'gold' } } });
      assert.equal(registered.statusCode, 200);
      assert.deepEqual(registered.response.registration?.roles, ['admin']);
      assert.deepEqual(registered.response.registration?.data, { plan: 'gold' });
      assert.equal(registered.response.user?.registrations?.length, 1);

      const second = await newUser();
      const defaults = await client.register(second.id!, { registration: { applicationId: application.id! } });
      assert.deepEqual(defaults.response.registration?.roles, ['user', 'viewer']);

      const retrieved = await client.retrieveRegistration(second.id!, application.id!);
      assert.deepEqual(retrieved.response.registration, defaults.response.registration);
      const user = await client.retrieveUser(second.id!);
      assert.deepEqual(user.response.user?.registrations?.map((registration) => registration.applicationId), [application.id]);
      const search = await client.searchUsersByQuery({ search: { ids: [second.id!] } });
      assert.equal(search.response.users?.[0]?.registrations?.[0]?.id, defaults.response.registration?.id);
    });

    it('creates a user and a registration together, or neither', async () => {
      const email = `${randomUUID()}@example.com`;
      const both = await client.register('', { user: { email, password: 'correct horse battery' }, registration: { applicationId: application.id!, roles: ['admin'] } });
      assert.equal(both.statusCode, 200);
      assert.equal(both.response.user?.email, email);
      assert.deepEqual(both.response.registration?.roles, ['admin']);

      const failingEmail = `${randomUUID()}@example.com`;
      const failed = await expectStatus(client.register('', { user: { email: failingEmail, password: 'correct horse battery' }, registration: { applicationId: application.id!, roles: ['nope'] } }), 400);
      assert.deepEqual(errorCodes(failed), ['[invalid]registration.roles']);
      await expectStatus(client.retrieveUserByEmail(failingEmail), 404);
    });

    it('answers bad registrations with field errors', async () => {
      const user = await newUser();
      const cases: Array<[unknown, string]> = [
        [{}, '[blank]registration.applicationId'],
        [{ applicationId: 'not-a-uuid' }, '[invalid]registration.applicationId'],
        [{ applicationId: randomUUID() }, '[invalid]registration.applicationId'],
        [{ applicationId: application.id, roles: ['admin', 'ghost'] }, '[invalid]registration.roles'],
        [{ applicationId: application.id, roles: 'admin' }, '[invalid]registration.roles'],
      ];
      for (const [registration, code] of cases) {
        const body = await expectStatus(client.register(user.id!, { registration: registration as never }), 400);
        assert.ok(errorCodes(body).includes(code), `${JSON.stringify(registration)} → ${JSON.stringify(errorCodes(body))}`);
      }
      await client.register(user.id!, { registration: { applicationId: application.id! } });
      const duplicate = await expectStatus(client.register(user.id!, { registration: { applicationId: application.id! } }), 400);
      assert.deepEqual(errorCodes(duplicate), ['[duplicate]registration.applicationId']);
      await expectStatus(client.register(randomUUID(), { registration: { applicationId: application.id! } }), 404);
      assert.equal((await client.retrieveUser(user.id!)).response.user?.registrations?.length, 1);
    });

    it('refuses an application of another tenant', async () => {
      const other = (await client.createTenant('', { tenant: { name: `Reg ${randomUUID()}` } })).response.tenant!;
      const foreign = (await client.createApplication('', { application: { name: 'Foreign', tenantId: other.id! } })).response.application!;
      const user = await newUser();
      const body = await expectStatus(client.register(user.id!, { registration: { applicationId: foreign.id! } }), 400);
      assert.deepEqual(errorCodes(body), ['[invalid]registration.applicationId']);
    });

    it('updates (PUT replaces, PATCH merges) and deletes', async () => {
      const user = await newUser();
      await client.register(user.id!, { registration: { applicationId: application.id!, roles: ['admin'], username: 'nick', data: { a: 1 } } });
      const patched = await client.patchRegistration(user.id!, { registration: { applicationId: application.id!, data: { b: 2 } } });
      assert.deepEqual(patched.response.registration?.roles, ['admin']);
      assert.deepEqual(patched.response.registration?.data, { a: 1, b: 2 });
      assert.equal(patched.response.registration?.username, 'nick');
      const replaced = await client.updateRegistration(user.id!, { registration: { applicationId: application.id!, roles: ['viewer'] } });
      assert.deepEqual(replaced.response.registration?.roles, ['viewer']);
      assert.equal(replaced.response.registration?.username, undefined);
      const bad = await expectStatus(client.updateRegistration(user.id!, { registration: { applicationId: application.id!, roles: ['ghost'] } }), 400);
      assert.deepEqual(errorCodes(bad), ['[invalid]registration.roles']);
      await expectStatus(client.updateRegistration(user.id!, { registration: { applicationId: randomUUID() } }), 404);
      const malformed = await expectStatus(client.patchRegistration(user.id!, { registration: { applicationId: 'not-a-uuid' } }), 400);
      assert.deepEqual(errorCodes(malformed), ['[invalid]registration.applicationId']);

      assert.equal((await client.deleteRegistration(user.id!, application.id!)).statusCode, 200);
      await expectStatus(client.retrieveRegistration(user.id!, application.id!), 404);
      await expectStatus(client.deleteRegistration(user.id!, application.id!), 404);
    });
  });
}
