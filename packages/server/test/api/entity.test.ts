import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Entity, FusionAuthClient } from '@fusionauth/typescript-client';
import { entityClientSecret, entitySecretMatches, findEntityByClientId } from '../../src/entities/entities.ts';
import { unsealOwnedClientSecret } from '../../src/tenancy/client-secret.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

for (const backend of backends) {
  describe(`/api/entity on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    let typeId: string;
    let tenantId: string;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, clientFor } = await serveWithClient(gatehouse));
      tenantId = gatehouse.setup.defaultTenantId;
      typeId = (await client.createEntityType('', { entityType: { name: 'Device', permissions: [{ name: 'read', isDefault: true }] } })).response.entityType!.id!;
    });
    after(async () => {
      await gatehouse.close();
    });

    const newEntity = async (entity: Entity = {}, id = '') =>
      (await client.createEntity(id, { entity: { name: `Entity ${randomUUID()}`, type: { id: typeId }, tenantId, ...entity } })).response.entity!;
    const storedRow = (id: string) => gatehouse.store.db.selectFrom('entities').selectAll().where('id', '=', id).executeTakeFirst();
    const entityCount = async () => Number((await gatehouse.store.db.selectFrom('entities').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    it('creates an entity with a generated id, client id and sealed secret, and retrieves it', async () => {
      const created = await client.createEntity('', { entity: { name: 'Thermostat', type: { id: typeId }, data: { room: 'hall' } } });
      assert.equal(created.statusCode, 200);
      const entity = created.response.entity!;
      assert.match(entity.id!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(entity.clientId, entity.id, 'a blank client id is the entity id');
      assert.match(entity.clientSecret!, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
      assert.equal(entity.tenantId, tenantId, 'the only tenant');
      assert.equal(entity.name, 'Thermostat');
      assert.deepEqual(entity.data, { room: 'hall' });
      assert.equal(entity.type!.id, typeId);
      assert.equal(entity.type!.name, 'Device');
      assert.deepEqual(entity.type!.permissions!.map((permission) => permission.name), ['read']);
      assert.equal(entity.insertInstant, entity.lastUpdateInstant);
      assert.equal(entity.parentId, undefined);
      assert.deepEqual((await client.retrieveEntity(entity.id!)).response.entity, entity, 'retrieve returns the secret, as FusionAuth does');

      // Sealed at rest: not the plaintext, and bound to this row and column.
      const row = (await storedRow(entity.id!))!;
      assert.ok(!row.client_secret_sealed.includes(Buffer.from(entity.clientSecret!)), 'the stored column is not the plaintext');
      assert.equal(unsealOwnedClientSecret(gatehouse.keyRing, { table: 'entities', id: entity.id! }, row.client_secret_sealed), entity.clientSecret);
      assert.throws(() => unsealOwnedClientSecret(gatehouse.keyRing, { table: 'entities', id: randomUUID() }, row.client_secret_sealed));
      assert.throws(() => unsealOwnedClientSecret(gatehouse.keyRing, { table: 'applications', id: entity.id! }, row.client_secret_sealed));

      const another = await newEntity();
      assert.notEqual(another.clientSecret, entity.clientSecret);
    });

    it('takes a chosen id, client id and secret; hands the client credentials grant a cheap secret check', async () => {
      const id = randomUUID();
      const clientId = `todo-api-${randomUUID()}`;
      const entity = await newEntity({ clientId, clientSecret: 'a chosen secret' }, id);
      assert.equal(entity.id, id);
      assert.equal(entity.clientId, clientId);
      assert.equal(entity.clientSecret, 'a chosen secret');

      const found = (await findEntityByClientId(gatehouse.store.repositories, clientId))!;
      assert.equal(found.id, id);
      assert.equal(found.tenantId, tenantId);
      assert.equal(found.type.id, typeId);
      assert.deepEqual(found.type.jwtConfiguration, { enabled: false, accessTokenVerificationKeyIds: [] });
      assert.equal(entityClientSecret(gatehouse.keyRing, found), 'a chosen secret');
      assert.equal(entitySecretMatches(gatehouse.keyRing, found, 'a chosen secret'), true);
      assert.equal(entitySecretMatches(gatehouse.keyRing, found, 'a chosen secreT'), false);
      assert.equal(entitySecretMatches(gatehouse.keyRing, found, ''), false);
      assert.equal(await findEntityByClientId(gatehouse.store.repositories, clientId.toUpperCase()), undefined, 'client ids match exactly');
      assert.equal(await findEntityByClientId(gatehouse.store.repositories, 'no such client'), undefined);
    });

    it('updates: PUT replaces name, parent and data, keeps a blank secret, never moves tenant, type or client id', async () => {
      const otherType = (await client.createEntityType('', { entityType: { name: `Other ${randomUUID()}` } })).response.entityType!.id!;
      const parent = await newEntity();
      const entity = await newEntity({ data: { a: 1 } });
      const kept = (await client.updateEntity(entity.id!, { entity: { name: 'Renamed', parentId: parent.id!, type: { id: otherType }, clientId: 'changed', clientSecret: '' } })).response.entity!;
      assert.equal(kept.name, 'Renamed');
      assert.equal(kept.parentId, parent.id);
      assert.deepEqual(kept.data, {}, 'PUT clears what it does not send');
      assert.equal(kept.clientSecret, entity.clientSecret, 'a blank secret keeps the current one');
      assert.equal(kept.clientId, entity.clientId, 'the client id never changes (FusionAuth ignores it)');
      assert.equal(kept.type!.id, typeId, 'the type never changes');
      assert.equal(kept.tenantId, entity.tenantId);
      assert.equal(kept.insertInstant, entity.insertInstant);
      assert.deepEqual((await client.retrieveEntity(entity.id!)).response.entity, kept);

      const rotated = (await client.updateEntity(entity.id!, { entity: { name: 'Renamed', clientSecret: 'new secret' } })).response.entity!;
      assert.equal(rotated.clientSecret, 'new secret');
      assert.equal(rotated.parentId, undefined, 'PUT without a parent removes it');
      const row = (await storedRow(entity.id!))!;
      assert.equal(unsealOwnedClientSecret(gatehouse.keyRing, { table: 'entities', id: entity.id! }, row.client_secret_sealed), 'new secret');

      const patched = (await client.patchEntity(entity.id!, { entity: { data: { b: 2 }, parentId: parent.id! } })).response.entity!;
      assert.equal(patched.name, 'Renamed', 'PATCH keeps what it does not name');
      assert.deepEqual(patched.data, { b: 2 });
      assert.equal(patched.parentId, parent.id);
      assert.equal(patched.clientSecret, 'new secret');
      const jsonPatch = await gatehouse.app.inject({
        method: 'PATCH',
        url: `/api/entity/${entity.id}`,
        headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json-patch+json' },
        payload: JSON.stringify([{ op: 'add', path: '/entity/data/c', value: 3 }]),
      });
      assert.equal(jsonPatch.statusCode, 200, jsonPatch.body);
      assert.deepEqual(jsonPatch.json().entity.data, { b: 2, c: 3 });

      // A parent cycle is refused: the parent may not be the entity itself or one of its descendants.
      const self = await expectStatus(client.patchEntity(entity.id!, { entity: { parentId: entity.id! } }), 400);
      assert.deepEqual(errorCodes(self), ['[invalid]entity.parentId']);
      const cycle = await expectStatus(client.patchEntity(parent.id!, { entity: { parentId: entity.id! } }), 400);
      assert.deepEqual(errorCodes(cycle), ['[invalid]entity.parentId']);
      const blank = await expectStatus(client.updateEntity(entity.id!, { entity: { name: ' ' } }), 400);
      assert.deepEqual(errorCodes(blank), ['[blank]entity.name']);
      const long = await expectStatus(client.patchEntity(entity.id!, { entity: { name: 'x'.repeat(256) } }), 400);
      assert.deepEqual(errorCodes(long), ['[tooLong]entity.name']);
      await expectStatus(client.updateEntity(randomUUID(), { entity: { name: 'x' } }), 404);
      assert.equal((await client.retrieveEntity(entity.id!)).response.entity!.name, 'Renamed', 'unchanged by the refused updates');
    });

    it('refuses bad entities with exact codes and stores nothing', async () => {
      const taken = await newEntity({ clientId: `taken-${randomUUID()}` });
      const applicationId = (await client.createApplication('', { application: { name: `App ${randomUUID()}`, tenantId } })).response.application!.id!;
      const cases: Array<[unknown, string[]]> = [
        [{ type: { id: typeId } }, ['[blank]entity.name']],
        [{ name: '  ', type: { id: typeId } }, ['[blank]entity.name']],
        [{ name: 'x'.repeat(256), type: { id: typeId } }, ['[tooLong]entity.name']],
        [{ name: 'ok' }, ['[missing]entity.type']],
        [{ name: 'ok', type: {} }, ['[missing]entity.type.id']],
        [{ name: 'ok', type: { id: randomUUID() } }, ['[invalid]entity.type.id']],
        [{ name: 'ok', type: { id: 'not-a-uuid' } }, ['[invalid]entity.type.id']],
        [{ name: 'ok', type: { id: typeId }, clientId: taken.clientId }, ['[duplicate]entity.clientId']],
        [{ name: 'ok', type: { id: typeId }, clientId: applicationId }, ['[duplicate]entity.clientId']],
        [{ name: 'ok', type: { id: typeId }, clientId: 'c'.repeat(192) }, ['[tooLong]entity.clientId']],
        [{ name: 'ok', type: { id: typeId }, clientSecret: 's'.repeat(256) }, ['[tooLong]entity.clientSecret']],
        [{ name: 'ok', type: { id: typeId }, parentId: randomUUID() }, ['[invalid]entity.parentId']],
        [{ name: 'ok', type: { id: typeId }, tenantId: randomUUID() }, ['[invalid]entity.tenantId']],
        [{ name: 'ok', type: { id: typeId }, data: 'text' }, ['[invalid]entity.data']],
        [{ type: { id: randomUUID() } }, ['[blank]entity.name']],
        [{ name: 'ok', type: { id: randomUUID() }, parentId: randomUUID() }, ['[invalid]entity.type.id', '[invalid]entity.parentId']],
      ];
      const before = await entityCount();
      for (const [entity, codes] of cases) {
        const body = await expectStatus(client.createEntity('', { entity: entity as Entity }), 400);
        assert.deepEqual(errorCodes(body).sort(), [...codes].sort(), JSON.stringify(entity));
      }
      assert.deepEqual(errorCodes(await expectStatus(client.createEntity('', {}), 400)), ['[blank]entity']);
      const duplicateId = await expectStatus(client.createEntity(taken.id!, { entity: { name: 'again', type: { id: typeId } } }), 400);
      assert.deepEqual(errorCodes(duplicateId), ['[duplicate]entityId']);
      const plain = await newEntity();
      const defaultedClientId = await expectStatus(client.createEntity(plain.id!, { entity: { name: 'again', type: { id: typeId } } }), 400);
      assert.deepEqual(errorCodes(defaultedClientId), ['[duplicate]entityId'], 'the defaulted client id is not a second error');
      const both = await expectStatus(client.createEntity(plain.id!, { entity: { name: 'again', type: { id: typeId }, clientId: taken.clientId! } }), 400);
      assert.deepEqual(errorCodes(both).sort(), ['[duplicate]entity.clientId', '[duplicate]entityId']);
      assert.equal(await entityCount(), before + 1, 'nothing stored on a 400');
    });

    it('deletes an entity with its children; deleting a type deletes its entities, as FusionAuth does', async () => {
      const parent = await newEntity();
      const child = await newEntity({ parentId: parent.id! });
      const other = await newEntity();
      assert.equal((await client.deleteEntity(parent.id!)).statusCode, 200);
      await expectStatus(client.retrieveEntity(parent.id!), 404);
      await expectStatus(client.retrieveEntity(child.id!), 404);
      await expectStatus(client.deleteEntity(parent.id!), 404);
      assert.equal((await client.retrieveEntity(other.id!)).statusCode, 200);

      const shortLived = (await client.createEntityType('', { entityType: { name: `Short ${randomUUID()}` } })).response.entityType!.id!;
      const doomed = await newEntity({ type: { id: shortLived } });
      assert.equal((await client.deleteEntityType(shortLived)).statusCode, 200);
      assert.equal(await storedRow(doomed.id!), undefined);
      assert.equal((await client.retrieveEntity(other.id!)).statusCode, 200);
    });

    it('searches by ids and query string, sorted and paged, by POST and GET', async () => {
      const marker = randomUUID().slice(0, 8);
      const searchType = (await client.createEntityType('', { entityType: { name: `Fleet ${marker}` } })).response.entityType!.id!;
      const b = await newEntity({ name: `b-car ${marker}`, type: { id: searchType } });
      const a = await newEntity({ name: `A-car ${marker}`, type: { id: searchType } });
      const c = await newEntity({ name: 'plain', clientId: `client-${marker}` });

      const byIds = (await client.searchEntitiesByIds([c.id!, a.id!, randomUUID(), a.id!])).response;
      assert.deepEqual(byIds.entities!.map((entity) => entity.id), [c.id, a.id], 'in the order asked, unknown ids ignored');
      assert.equal(byIds.total, 2);
      assert.equal(byIds.entities![0]!.clientSecret, c.clientSecret);

      const byName = (await client.searchEntities({ search: { queryString: `car ${marker}` } })).response;
      assert.deepEqual(byName.entities!.map((entity) => entity.id), [a.id, b.id], 'default order: name ascending (code point)');
      assert.equal(byName.total, 2);
      const byTypeName = (await client.searchEntities({ search: { queryString: `FLEET ${marker}`, sortFields: [{ name: 'insertInstant', order: 'desc' as never }] } })).response;
      assert.deepEqual(byTypeName.entities!.map((entity) => entity.id), [a.id, b.id]);
      const byClientId = (await client.searchEntities({ search: { queryString: `client-${marker}` } })).response;
      assert.deepEqual(byClientId.entities!.map((entity) => entity.id), [c.id]);
      const wildcard = (await client.searchEntities({ search: { queryString: `*-car ${marker}`, numberOfResults: 1, startRow: 1 } })).response;
      assert.equal(wildcard.total, 2);
      assert.deepEqual(wildcard.entities!.map((entity) => entity.id), [b.id]);
      assert.ok((await client.searchEntities({ search: { queryString: '*' } })).response.total! >= 3);

      const get = await gatehouse.app.inject({
        method: 'GET',
        url: `/api/entity/search?queryString=${encodeURIComponent(`car ${marker}`)}&sortFields%5B0%5D.name=name&sortFields%5B0%5D.order=desc&numberOfResults=5`,
        headers: { authorization: gatehouse.apiKey },
      });
      assert.equal(get.statusCode, 200, get.body);
      assert.deepEqual(get.json().entities.map((entity: Entity) => entity.id), [b.id, a.id]);

      const cases: Array<[unknown, string]> = [
        [{}, '[blank]search.queryString'],
        [{ query: '{"match_all":{}}' }, '[invalid]search.query'],
        [{ queryString: '*', sortFields: [{ name: 'color' }] }, '[invalid]search.sortFields.name'],
        [{ queryString: '*', sortFields: [{ order: 'asc' }] }, '[blank]search.sortFields.name'],
        [{ queryString: '*', sortFields: [{ name: 'name', order: 'up' }] }, '[invalid]search.sortFields.order'],
        [{ queryString: '*', numberOfResults: 10_001 }, '[tooLarge]search.numberOfResults'],
        [{ ids: ['nope'] }, '[invalid]search.ids'],
      ];
      for (const [search, code] of cases) assert.deepEqual(errorCodes(await expectStatus(client.searchEntities({ search: search as never }), 400)), [code], JSON.stringify(search));
      assert.equal((await client.refreshEntitySearchIndex()).statusCode, 200, 'nothing to flush: 200');
    });

    it('keeps tenant-scoped callers and X-FusionAuth-TenantId inside their tenant', async () => {
      const otherTenant = (await client.createTenant('', { tenant: { name: `Entities ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId: otherTenant } })).response.apiKey!.key!);
      const outside = await newEntity();
      const inside = (await scoped.createEntity('', { entity: { name: 'Inside', type: { id: typeId } } })).response.entity!;
      assert.equal(inside.tenantId, otherTenant);

      // With two tenants, a global key must name one.
      const ambiguous = await expectStatus(client.createEntity('', { entity: { name: 'Where?', type: { id: typeId } } }), 400);
      assert.deepEqual(errorCodes(ambiguous), ['[TenantIdRequired]']);
      const byHeader = (await clientFor(gatehouse.apiKey, otherTenant).createEntity('', { entity: { name: 'By header', type: { id: typeId } } })).response.entity!;
      assert.equal(byHeader.tenantId, otherTenant);
      const mismatch = await expectStatus(scoped.createEntity('', { entity: { name: 'Elsewhere', type: { id: typeId }, tenantId } }), 400);
      assert.deepEqual(errorCodes(mismatch), ['[invalid]entity.tenantId']);
      const foreignParent = await expectStatus(scoped.createEntity('', { entity: { name: 'Child', type: { id: typeId }, parentId: outside.id! } }), 400);
      assert.deepEqual(errorCodes(foreignParent), ['[invalid]entity.parentId']);

      await expectStatus(scoped.retrieveEntity(outside.id!), 404);
      await expectStatus(scoped.updateEntity(outside.id!, { entity: { name: 'Taken over' } }), 404);
      await expectStatus(scoped.patchEntity(outside.id!, { entity: { name: 'Taken over' } }), 404);
      await expectStatus(scoped.deleteEntity(outside.id!), 404);
      await expectStatus(clientFor(gatehouse.apiKey, otherTenant).retrieveEntity(outside.id!), 404);
      assert.equal((await client.retrieveEntity(outside.id!)).response.entity!.name, outside.name);
      assert.equal((await scoped.retrieveEntity(inside.id!)).response.entity!.id, inside.id);

      const searched = (await scoped.searchEntities({ search: { queryString: '*', numberOfResults: 100 } })).response;
      assert.deepEqual(searched.entities!.map((entity) => entity.id).sort(), [inside.id, byHeader.id].sort());
      assert.deepEqual((await scoped.searchEntitiesByIds([outside.id!, inside.id!])).response.entities!.map((entity) => entity.id), [inside.id]);
      assert.equal((await scoped.deleteEntity(inside.id!)).statusCode, 200);
    });
  });
}
