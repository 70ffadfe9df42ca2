import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Entity, EntityGrant, FusionAuthClient } from '@fusionauth/typescript-client';
import { findGrant } from '../../src/entities/entity-grants.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

for (const backend of backends) {
  describe(`/api/entity/{id}/grant on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    let apiTypeId: string;
    let tenantId: string;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, clientFor } = await serveWithClient(gatehouse));
      tenantId = gatehouse.setup.defaultTenantId;
      // Seed 003: an "API" entity type; its permissions here cover both of the seed's examples.
      apiTypeId = (
        await client.createEntityType('', {
          entityType: { name: 'API', permissions: [{ name: 'read', isDefault: true }, { name: 'write' }, { name: 'execute' }, { name: 'configure', isDefault: true }] },
        })
      ).response.entityType!.id!;
    });
    after(async () => {
      await gatehouse.close();
    });

    const newEntity = async (entity: Entity = {}, id = '') =>
      (await client.createEntity(id, { entity: { name: `Entity ${randomUUID()}`, type: { id: apiTypeId }, tenantId, ...entity } })).response.entity!;
    const newUser = async (userTenantId = tenantId) =>
      (await client.createUser('', { user: { email: `grantee-${randomUUID()}@example.com`, password: 'correct horse battery', tenantId: userTenantId } })).response.user!;
    const grantCount = async () => Number((await gatehouse.store.db.selectFrom('entity_grants').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const storedGrant = (targetId: string, recipientId: string) =>
      gatehouse.store.db.selectFrom('entity_grants').selectAll().where('target_entity_id', '=', targetId).where('recipient_entity_id', '=', recipientId).executeTakeFirst();

    it('runs the seed 003 example: the todo API is granted read and write on the email API', async () => {
      const emailApi = await newEntity({ name: 'Email API' }, 'e13365f1-a270-493e-bd1b-3d239d753d53');
      const todoApi = await newEntity({ name: 'Todo API' }, '2934f41f-d277-4a32-b0d5-16e47dad9721');

      // The seed's curl request, byte for byte in shape.
      const raw = await gatehouse.app.inject({
        method: 'POST',
        url: `/api/entity/${emailApi.id}/grant`,
        headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json' },
        payload: `{\n"grant": {\n"recipientEntityId": "${todoApi.id}",\n"permissions" : ["read","write"]\n}\n}\n`,
      });
      assert.equal(raw.statusCode, 200);
      assert.equal(raw.body, '', 'no body');

      const grant = (await client.retrieveEntityGrant(emailApi.id!, todoApi.id!, undefined as never)).response.grant!;
      assert.equal(grant.recipientEntityId, todoApi.id);
      assert.equal(grant.userId, undefined);
      assert.deepEqual(grant.permissions, ['read', 'write']);
      assert.deepEqual(grant.data, {});
      assert.equal(grant.entity!.id, emailApi.id, '`entity` is the target');
      assert.equal(grant.entity!.clientSecret, emailApi.clientSecret);
      assert.equal(grant.entity!.type!.name, 'API');
      assert.equal(grant.insertInstant, grant.lastUpdateInstant);

      // What the client credentials grant asks: the todo API's client id, secret and grant on the email API.
      const stored = (await findGrant(gatehouse.store.repositories, emailApi.id!, todoApi.id!))!;
      assert.equal(stored.id, grant.id);
      assert.deepEqual(stored.permissions, ['read', 'write']);
      assert.equal(await findGrant(gatehouse.store.repositories, todoApi.id!, emailApi.id!), undefined, 'grants are one-way');
      assert.equal(await findGrant(gatehouse.store.repositories, emailApi.id!.toUpperCase(), todoApi.id!.toUpperCase()).then((found) => found?.id), grant.id);

      // Upsert through the client: the same grant (id, insert instant) with new permissions and data.
      assert.equal((await client.upsertEntityGrant(emailApi.id!, { grant: { recipientEntityId: todoApi.id!, permissions: ['execute', 'read', 'read'], data: { why: 'reminders' } } })).statusCode, 200);
      const updated = (await client.retrieveEntityGrant(emailApi.id!, todoApi.id!, undefined as never)).response.grant!;
      assert.equal(updated.id, grant.id);
      assert.equal(updated.insertInstant, grant.insertInstant);
      assert.ok(updated.lastUpdateInstant! >= grant.lastUpdateInstant!);
      assert.deepEqual(updated.permissions, ['execute', 'read'], 'once each, in the type order');
      assert.deepEqual(updated.data, { why: 'reminders' });
      const put = await gatehouse.app.inject({
        method: 'PUT',
        url: `/api/entity/${emailApi.id}/grant`,
        headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json' },
        payload: JSON.stringify({ grant: { recipientEntityId: todoApi.id, permissions: ['read', 'write'] } }),
      });
      assert.equal(put.statusCode, 200);
      assert.deepEqual((await findGrant(gatehouse.store.repositories, emailApi.id!, todoApi.id!))!.permissions, ['read', 'write']);
      assert.deepEqual((await storedGrant(emailApi.id!, todoApi.id!))!.permissions, ['read', 'write']);
    });

    it('grants users too, defaults to the type default permissions, and lists a target grants', async () => {
      const target = await newEntity();
      const recipient = await newEntity();
      const user = await newUser();
      await client.upsertEntityGrant(target.id!, { grant: { userId: user.id!, data: { seat: 3 } } });
      await client.upsertEntityGrant(target.id!, { grant: { recipientEntityId: recipient.id!, permissions: [] } });
      const userGrant = (await client.retrieveEntityGrant(target.id!, null as never, user.id!)).response.grant!;
      assert.equal(userGrant.userId, user.id);
      assert.equal(userGrant.recipientEntityId, undefined);
      assert.deepEqual(userGrant.permissions, ['configure', 'read'], 'no permissions named: the default ones');
      assert.deepEqual(userGrant.data, { seat: 3 });

      const all = (await client.retrieveEntityGrant(target.id!, undefined as never, undefined as never)).response;
      assert.equal(all.grant, undefined);
      assert.deepEqual(all.grants!.map((grant) => grant.userId ?? grant.recipientEntityId), [user.id, recipient.id], 'user grants first');
      assert.deepEqual(all.grants![1]!.permissions, ['configure', 'read']);
      assert.ok(all.grants!.every((grant) => grant.entity!.id === target.id));
      assert.deepEqual((await client.retrieveEntityGrant(recipient.id!, undefined as never, undefined as never)).response.grants, []);
      await expectStatus(client.retrieveEntityGrant(target.id!, randomUUID(), undefined as never), 404);
      await expectStatus(client.retrieveEntityGrant(target.id!, undefined as never, randomUUID()), 404);
      await expectStatus(client.retrieveEntityGrant(randomUUID(), undefined as never, undefined as never), 404);
    });

    it('refuses bad grants with exact codes and stores nothing', async () => {
      const target = await newEntity();
      const recipient = await newEntity();
      const otherTenant = (await client.createTenant('', { tenant: { name: `Grants ${randomUUID()}` } })).response.tenant!.id!;
      const foreignUser = await newUser(otherTenant);
      const foreignEntity = (await client.createEntity('', { entity: { name: 'Foreign', type: { id: apiTypeId }, tenantId: otherTenant } })).response.entity!;
      const cases: Array<[unknown, string[]]> = [
        [{}, ['[invalid]grant']],
        [{ permissions: ['read'] }, ['[invalid]grant']],
        [{ recipientEntityId: randomUUID() }, ['[invalid]grant.recipientEntityId']],
        [{ recipientEntityId: foreignEntity.id }, ['[invalid]grant.recipientEntityId']],
        [{ userId: randomUUID() }, ['[invalid]grant.userId']],
        [{ userId: foreignUser.id }, ['[invalid]grant.userId']],
        [{ userId: 'not-a-uuid' }, ['[invalid]grant.userId']],
        [{ recipientEntityId: recipient.id, permissions: ['read', 'delete', 'READ'] }, ['[invalid]grant.permissions']],
        [{ recipientEntityId: recipient.id, permissions: 'read' }, ['[invalid]grant.permissions']],
        [{ recipientEntityId: recipient.id, data: [] }, ['[invalid]grant.data']],
        [{ userId: randomUUID(), permissions: ['nope'] }, ['[invalid]grant.userId', '[invalid]grant.permissions']],
      ];
      const before = await grantCount();
      for (const [grant, codes] of cases) {
        const body = await expectStatus(client.upsertEntityGrant(target.id!, { grant: grant as EntityGrant }), 400);
        assert.deepEqual(errorCodes(body).sort(), [...codes].sort(), JSON.stringify(grant));
      }
      const unknown = await expectStatus(client.upsertEntityGrant(target.id!, { grant: { recipientEntityId: recipient.id!, permissions: ['read', 'delete', 'READ'] } }), 400);
      assert.match(unknown!.fieldErrors!['grant.permissions']![0]!.message, /"READ", "delete"/);
      assert.deepEqual(errorCodes(await expectStatus(client.upsertEntityGrant(target.id!, {}), 400)), ['[missing]grant']);
      await expectStatus(client.upsertEntityGrant(randomUUID(), { grant: { recipientEntityId: recipient.id! } }), 404);
      assert.equal(await grantCount(), before, 'nothing stored on a 400');
    });

    it('deletes grants by recipient, and with their recipient, user, target or permission', async () => {
      const target = await newEntity();
      const recipient = await newEntity();
      const user = await newUser();
      await client.upsertEntityGrant(target.id!, { grant: { recipientEntityId: recipient.id!, permissions: ['read', 'write'] } });
      await client.upsertEntityGrant(target.id!, { grant: { userId: user.id!, permissions: ['write'] } });

      const neither = await gatehouse.app.inject({ method: 'DELETE', url: `/api/entity/${target.id}/grant`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(neither.statusCode, 400);
      assert.deepEqual(errorCodes(neither.json()), ['[invalid]grant']);
      await expectStatus(client.deleteEntityGrant(target.id!, randomUUID(), undefined as never), 404);
      await expectStatus(client.deleteEntityGrant(randomUUID(), recipient.id!, undefined as never), 404);

      // Deleting a permission takes it out of the grants on the type's entities.
      const write = (await client.retrieveEntityType(apiTypeId)).response.entityType!.permissions!.find((permission) => permission.name === 'write')!;
      await client.deleteEntityTypePermission(apiTypeId, write.id!);
      assert.deepEqual((await findGrant(gatehouse.store.repositories, target.id!, recipient.id!))!.permissions, ['read']);
      assert.deepEqual((await client.retrieveEntityGrant(target.id!, undefined as never, user.id!)).response.grant!.permissions, []);
      await client.createEntityTypePermission(apiTypeId, write.id!, { permission: { name: 'write' } });

      assert.equal((await client.deleteEntityGrant(target.id!, recipient.id!, undefined as never)).statusCode, 200);
      assert.equal(await findGrant(gatehouse.store.repositories, target.id!, recipient.id!), undefined);
      assert.equal((await client.deleteEntityGrant(target.id!, undefined as never, user.id!)).statusCode, 200);
      await expectStatus(client.deleteEntityGrant(target.id!, undefined as never, user.id!), 404);

      // Grants go with either entity, and with their user.
      const second = await newEntity();
      const keptUser = await newUser();
      await client.upsertEntityGrant(target.id!, { grant: { recipientEntityId: second.id! } });
      await client.upsertEntityGrant(second.id!, { grant: { recipientEntityId: target.id! } });
      await client.upsertEntityGrant(second.id!, { grant: { userId: keptUser.id! } });
      await client.deleteEntity(target.id!);
      assert.deepEqual((await client.retrieveEntityGrant(second.id!, undefined as never, undefined as never)).response.grants!.map((grant) => grant.userId), [keptUser.id]);
      await client.deleteUserWithRequest(keptUser.id!, { hardDelete: true });
      assert.deepEqual((await client.retrieveEntityGrant(second.id!, undefined as never, undefined as never)).response.grants, []);
    });

    it('searches grants by target or user, narrowed by target name, ordered and paged', async () => {
      const marker = randomUUID().slice(0, 8);
      const alpha = await newEntity({ name: `Alpha ${marker}` });
      const beta = await newEntity({ name: `beta ${marker}` });
      const robot = await newEntity();
      const user = await newUser();
      await client.upsertEntityGrant(beta.id!, { grant: { userId: user.id! } });
      await client.upsertEntityGrant(alpha.id!, { grant: { userId: user.id!, permissions: ['write'] } });
      await client.upsertEntityGrant(alpha.id!, { grant: { recipientEntityId: robot.id! } });

      const byUser = (await client.searchEntityGrants({ search: { userId: user.id! } })).response;
      assert.equal(byUser.total, 2);
      assert.deepEqual(byUser.grants!.map((grant) => grant.entity!.id), [alpha.id, beta.id], 'default order: target name ascending');
      assert.equal(byUser.grants![0]!.entity!.clientSecret, undefined, 'no client secret in search results, as FusionAuth');
      assert.deepEqual(byUser.grants![0]!.permissions, ['write']);
      const byTarget = (await client.searchEntityGrants({ search: { entityId: alpha.id!, orderBy: 'insertInstant DESC' } })).response;
      assert.equal(byTarget.total, 2);
      assert.deepEqual(new Set(byTarget.grants!.map((grant) => grant.userId ?? grant.recipientEntityId)), new Set([user.id, robot.id]));
      const named = (await client.searchEntityGrants({ search: { userId: user.id!, name: `BETA ${marker}` } })).response;
      assert.deepEqual(named.grants!.map((grant) => grant.entity!.id), [beta.id]);
      const paged = (await client.searchEntityGrants({ search: { userId: user.id!, orderBy: 'name DESC', startRow: 1, numberOfResults: 1 } })).response;
      assert.equal(paged.total, 2);
      assert.deepEqual(paged.grants!.map((grant) => grant.entity!.id), [alpha.id]);
      const byGet = (await client.searchEntityGrantsByParameters(undefined as never, `*${marker}`, user.id!, 10, 'name ASC', 0)).response;
      assert.deepEqual(byGet.grants!.map((grant) => grant.entity!.id), [alpha.id, beta.id]);
      assert.deepEqual((await client.searchEntityGrants({ search: { name: `Alpha ${marker}` } })).response, { grants: [], total: 0 }, 'neither entityId nor userId: nothing, as FusionAuth');

      const both = await expectStatus(client.searchEntityGrants({ search: { userId: user.id!, entityId: alpha.id! } }), 400);
      assert.deepEqual(errorCodes(both), ['[notMissing]search.userId']);
      const order = await expectStatus(client.searchEntityGrants({ search: { userId: user.id!, orderBy: 'lastUpdateInstant' } }), 400);
      assert.deepEqual(errorCodes(order), ['[invalid]search.orderBy']);
      const badId = await expectStatus(client.searchEntityGrants({ search: { entityId: 'x' } }), 400);
      assert.deepEqual(errorCodes(badId), ['[invalid]search.entityId']);
    });

    it('keeps tenant-scoped callers inside their tenant', async () => {
      const otherTenant = (await client.createTenant('', { tenant: { name: `Scoped grants ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId: otherTenant } })).response.apiKey!.key!);
      const outside = await newEntity();
      const outsideRecipient = await newEntity();
      await client.upsertEntityGrant(outside.id!, { grant: { recipientEntityId: outsideRecipient.id! } });
      const inside = (await scoped.createEntity('', { entity: { name: 'Inside', type: { id: apiTypeId } } })).response.entity!;
      const insideRecipient = (await scoped.createEntity('', { entity: { name: 'Inside recipient', type: { id: apiTypeId } } })).response.entity!;

      await expectStatus(scoped.upsertEntityGrant(outside.id!, { grant: { recipientEntityId: insideRecipient.id! } }), 404);
      await expectStatus(scoped.retrieveEntityGrant(outside.id!, undefined as never, undefined as never), 404);
      await expectStatus(scoped.deleteEntityGrant(outside.id!, outsideRecipient.id!, undefined as never), 404);
      const crossTenant = await expectStatus(scoped.upsertEntityGrant(inside.id!, { grant: { recipientEntityId: outsideRecipient.id! } }), 400);
      assert.deepEqual(errorCodes(crossTenant), ['[invalid]grant.recipientEntityId']);
      assert.equal((await scoped.upsertEntityGrant(inside.id!, { grant: { recipientEntityId: insideRecipient.id!, permissions: ['execute'] } })).statusCode, 200);
      assert.deepEqual((await scoped.retrieveEntityGrant(inside.id!, insideRecipient.id!, undefined as never)).response.grant!.permissions, ['execute']);

      assert.deepEqual((await scoped.searchEntityGrants({ search: { entityId: outside.id! } })).response, { grants: [], total: 0 });
      assert.equal((await client.searchEntityGrants({ search: { entityId: outside.id! } })).response.total, 1);
      assert.equal((await scoped.searchEntityGrants({ search: { entityId: inside.id! } })).response.total, 1);
      assert.ok(await findGrant(gatehouse.store.repositories, outside.id!, outsideRecipient.id!), 'the other tenant grant is untouched');
    });
  });
}
