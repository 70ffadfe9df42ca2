import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ApplicationOAuthScope, FusionAuthClient } from '@fusionauth/typescript-client';
import { applicationScopesByName } from '../../src/tenancy/application-scopes.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

for (const backend of backends) {
  describe(`/api/application/{id}/scope on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, clientFor } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    const newApplication = async (tenantId = gatehouse.setup.defaultTenantId) =>
      (await client.createApplication('', { application: { name: `Scopes ${randomUUID()}`, tenantId } })).response.application!;
    const storedScopes = async (applicationId: string) =>
      (await gatehouse.store.db.selectFrom('application_scopes').selectAll().where('application_id', '=', applicationId).orderBy('name').execute()).map((row) => row.name);

    it('creates, retrieves, updates, patches and deletes scopes; the application lists them by name', async () => {
      const application = await newApplication();
      const id = application.id!;
      assert.deepEqual(application.scopes, [], 'a new application has no custom scopes');

      const created = await client.createOAuthScope(id, '', {
        scope: { name: 'data:read', description: 'Read access', defaultConsentMessage: 'View your data', defaultConsentDetail: 'Read-only', required: true, data: { tier: 1 } },
      });
      assert.equal(created.statusCode, 200);
      const read = created.response.scope!;
      assert.equal(read.applicationId, id);
      assert.equal(read.name, 'data:read');
      assert.equal(read.description, 'Read access');
      assert.equal(read.defaultConsentMessage, 'View your data');
      assert.equal(read.defaultConsentDetail, 'Read-only');
      assert.equal(read.required, true);
      assert.deepEqual(read.data, { tier: 1 });
      assert.equal(typeof read.insertInstant, 'number');
      assert.equal(read.lastUpdateInstant, read.insertInstant);

      const chosenId = randomUUID();
      const write = (await client.createOAuthScope(id, chosenId, { scope: { name: 'Data:Write' } })).response.scope!;
      assert.equal(write.id, chosenId);
      assert.equal(write.required, false, 'required defaults to false');
      assert.deepEqual(write.data, {});
      assert.equal(write.description, undefined);

      assert.deepEqual((await client.retrieveOAuthScope(id, read.id!)).response.scope, read);
      const listed = (await client.retrieveApplication(id)).response.application!.scopes!;
      assert.deepEqual(listed.map((scope) => scope.name), ['Data:Write', 'data:read'], 'code point order');
      assert.deepEqual(listed[1], read);
      const inList = (await client.retrieveApplications()).response.applications!.find((candidate) => candidate.id === id)!;
      assert.deepEqual(inList.scopes!.map((scope) => scope.name), ['Data:Write', 'data:read']);

      const replaced = (await client.updateOAuthScope(id, read.id!, { scope: { description: 'Reads things' } })).response.scope!;
      assert.equal(replaced.name, 'data:read', 'a PUT may leave the name out');
      assert.equal(replaced.description, 'Reads things');
      assert.equal(replaced.defaultConsentMessage, undefined, 'PUT clears what it does not send');
      assert.equal(replaced.required, false);
      assert.deepEqual(replaced.data, {});
      assert.equal(replaced.insertInstant, read.insertInstant);

      const patched = (await client.patchOAuthScope(id, read.id!, { scope: { required: true, data: { tier: 2 } } })).response.scope!;
      assert.equal(patched.description, 'Reads things', 'PATCH keeps what it does not name');
      assert.equal(patched.required, true);
      assert.deepEqual(patched.data, { tier: 2 });
      assert.deepEqual((await client.retrieveOAuthScope(id, read.id!)).response.scope, patched);

      assert.equal((await client.deleteOAuthScope(id, write.id!)).statusCode, 200);
      await expectStatus(client.deleteOAuthScope(id, write.id!), 404);
      await expectStatus(client.retrieveOAuthScope(id, write.id!), 404);
      assert.deepEqual(await storedScopes(id), ['data:read']);
    });

    it('refuses blank, long, reserved and malformed names, and duplicates, with exact codes', async () => {
      const application = await newApplication();
      const id = application.id!;
      await client.createOAuthScope(id, '', { scope: { name: 'taken' } });
      const cases: Array<[unknown, string]> = [
        [{}, '[blank]scope.name'],
        [{ name: '' }, '[blank]scope.name'],
        [{ name: '   ' }, '[blank]scope.name'],
        [{ name: 'x'.repeat(192) }, '[tooLong]scope.name'],
        [{ name: 7 }, '[invalid]scope.name'],
        [{ name: 'two words' }, '[invalid]scope.name'],
        [{ name: 'quote"d' }, '[invalid]scope.name'],
        [{ name: 'back\\slash' }, '[invalid]scope.name'],
        [{ name: 'café' }, '[invalid]scope.name'],
        [{ name: 'target-entity:x' }, '[invalid]scope.name'],
        [{ name: 'idp-link:x' }, '[invalid]scope.name'],
        [{ name: 'ok', required: 'yes' }, '[invalid]scope.required'],
        [{ name: 'ok', data: [] }, '[invalid]scope.data'],
        [{ name: 'ok', description: 'd'.repeat(2049) }, '[tooLong]scope.description'],
        [{ name: 'taken' }, '[duplicate]scope.name'],
      ];
      for (const reserved of ['openid', 'profile', 'email', 'phone', 'address', 'offline_access']) cases.push([{ name: reserved }, '[invalid]scope.name']);
      for (const [scope, code] of cases) {
        const body = await expectStatus(client.createOAuthScope(id, '', { scope: scope as ApplicationOAuthScope }), 400);
        assert.deepEqual(errorCodes(body), [code], JSON.stringify(scope));
      }
      assert.deepEqual(await storedScopes(id), ['taken'], 'nothing stored on a 400');

      // Names are case-sensitive, as OAuth scope values are; a scope id is unique across applications.
      const upper = (await client.createOAuthScope(id, '', { scope: { name: 'TAKEN' } })).response.scope!;
      const other = await newApplication();
      const reused = await expectStatus(client.createOAuthScope(other.id!, upper.id!, { scope: { name: 'copy' } }), 400);
      assert.deepEqual(errorCodes(reused), ['[duplicate]scopeId']);
      assert.deepEqual(await storedScopes(other.id!), []);
      await client.createOAuthScope(other.id!, '', { scope: { name: 'taken' } });
      assert.deepEqual(await storedScopes(other.id!), ['taken'], 'names are unique per application only');
    });

    it('keeps the name on update and refuses to change it', async () => {
      const application = await newApplication();
      const scope = (await client.createOAuthScope(application.id!, '', { scope: { name: 'orders', description: 'Orders' } })).response.scope!;
      const renamed = await expectStatus(client.updateOAuthScope(application.id!, scope.id!, { scope: { name: 'orders2' } }), 400);
      assert.deepEqual(errorCodes(renamed), ['[invalid]scope.name']);
      const patchedName = await expectStatus(client.patchOAuthScope(application.id!, scope.id!, { scope: { name: 'openid' } }), 400);
      assert.deepEqual(errorCodes(patchedName), ['[invalid]scope.name']);
      const badField = await expectStatus(client.patchOAuthScope(application.id!, scope.id!, { scope: { required: 'no' as unknown as boolean } }), 400);
      assert.deepEqual(errorCodes(badField), ['[invalid]scope.required']);
      assert.deepEqual((await client.retrieveOAuthScope(application.id!, scope.id!)).response.scope, scope, 'unchanged');
      const same = (await client.updateOAuthScope(application.id!, scope.id!, { scope: { name: 'orders', required: true } })).response.scope!;
      assert.equal(same.required, true);
    });

    it('answers 404 for unknown applications and scopes, and for scopes of another application', async () => {
      const application = await newApplication();
      const other = await newApplication();
      const scope = (await client.createOAuthScope(application.id!, '', { scope: { name: 'mine' } })).response.scope!;
      await expectStatus(client.createOAuthScope(randomUUID(), '', { scope: { name: 'x' } }), 404);
      await expectStatus(client.retrieveOAuthScope(other.id!, scope.id!), 404);
      await expectStatus(client.updateOAuthScope(other.id!, scope.id!, { scope: { name: 'mine' } }), 404);
      await expectStatus(client.patchOAuthScope(application.id!, randomUUID(), { scope: { required: true } }), 404);
      await expectStatus(client.deleteOAuthScope(other.id!, scope.id!), 404);
      const notUuid = await gatehouse.app.inject({ method: 'GET', url: `/api/application/${application.id}/scope/not-a-uuid`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(notUuid.statusCode, 400);
      assert.deepEqual((await client.retrieveOAuthScope(application.id!, scope.id!)).response.scope, scope);
    });

    it('keeps a tenant-scoped caller inside its tenant', async () => {
      const tenantId = (await client.createTenant('', { tenant: { name: `Scoped ${randomUUID()}` } })).response.tenant!.id!;
      const inside = await newApplication(tenantId);
      const outside = await newApplication();
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId } })).response.apiKey!.key!);
      const scope = (await scoped.createOAuthScope(inside.id!, '', { scope: { name: 'inside' } })).response.scope!;
      assert.equal(scope.applicationId, inside.id);
      await expectStatus(scoped.createOAuthScope(outside.id!, '', { scope: { name: 'outside' } }), 404);
      const foreign = (await client.createOAuthScope(outside.id!, '', { scope: { name: 'outside' } })).response.scope!;
      await expectStatus(scoped.retrieveOAuthScope(outside.id!, foreign.id!), 404);
      await expectStatus(scoped.deleteOAuthScope(outside.id!, foreign.id!), 404);
      assert.deepEqual(await storedScopes(outside.id!), ['outside']);
    });

    it('goes with its application on hard delete, and stays on soft delete', async () => {
      const application = await newApplication();
      await client.createOAuthScope(application.id!, '', { scope: { name: 'kept' } });
      await client.deactivateApplication(application.id!);
      assert.deepEqual(await storedScopes(application.id!), ['kept']);
      const inactive = (await client.retrieveInactiveApplications()).response.applications!.find((candidate) => candidate.id === application.id)!;
      assert.deepEqual(inactive.scopes!.map((scope) => scope.name), ['kept']);
      const reactivated = (await client.reactivateApplication(application.id!)).response.application!;
      assert.deepEqual(reactivated.scopes!.map((scope) => scope.name), ['kept']);
      await client.deleteApplication(application.id!);
      assert.deepEqual(await storedScopes(application.id!), []);
    });

    it('hands the OAuth provider the scopes by exact name', async () => {
      const application = await newApplication();
      await client.createOAuthScope(application.id!, '', { scope: { name: 'calendar.read', required: true } });
      await client.createOAuthScope(application.id!, '', { scope: { name: 'Calendar.Read' } });
      const byName = await applicationScopesByName(gatehouse.store.repositories, application.id!);
      assert.deepEqual([...byName.keys()].sort(), ['Calendar.Read', 'calendar.read']);
      assert.equal(byName.get('calendar.read')?.required, true);
      assert.equal(byName.get('CALENDAR.READ'), undefined);
      assert.equal((await applicationScopesByName(gatehouse.store.repositories, randomUUID())).size, 0);
    });
  });
}
