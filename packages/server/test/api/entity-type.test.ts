import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { EntityType, EntityTypePermission, FusionAuthClient, KeyAlgorithm } from '@fusionauth/typescript-client';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

for (const backend of backends) {
  describe(`/api/entity/type on ${backend} through @fusionauth/typescript-client`, () => {
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

    const newType = async (entityType: EntityType = {}) => (await client.createEntityType('', { entityType: { name: `Type ${randomUUID()}`, ...entityType } })).response.entityType!;
    const storedPermissions = async (typeId: string) =>
      (await gatehouse.store.db.selectFrom('entity_type_permissions').select('name').where('entity_type_id', '=', typeId).orderBy('name').execute()).map((row) => row.name);
    const typeCount = async () => Number((await gatehouse.store.db.selectFrom('entity_types').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    it('creates a type with permissions, retrieves, lists, updates, patches and deletes it', async () => {
      const keyId = (await client.generateKey('', { key: { algorithm: 'ES256' as KeyAlgorithm, name: `Entity key ${randomUUID()}` } })).response.key!.id!;
      const created = await client.createEntityType('', {
        entityType: {
          name: 'API',
          data: { createdBy: 'tests' },
          jwtConfiguration: { enabled: true, accessTokenKeyId: keyId, timeToLiveInSeconds: 3600 },
          permissions: [{ name: 'write', description: 'Writes', data: { level: 2 } }, { name: 'read', isDefault: true }],
        },
      });
      assert.equal(created.statusCode, 200);
      const type = created.response.entityType!;
      assert.match(type.id!, /^[0-9a-f-]{36}$/);
      assert.equal(type.name, 'API');
      assert.deepEqual(type.data, { createdBy: 'tests' });
      assert.deepEqual(type.jwtConfiguration, { enabled: true, accessTokenKeyId: keyId, accessTokenVerificationKeyIds: [], timeToLiveInSeconds: 3600 });
      assert.deepEqual(type.permissions!.map((permission) => [permission.name, permission.isDefault, permission.description]), [
        ['read', true, undefined],
        ['write', false, 'Writes'],
      ]);
      assert.deepEqual(type.permissions![1]!.data, { level: 2 });
      assert.equal(type.insertInstant, type.lastUpdateInstant);
      assert.deepEqual((await client.retrieveEntityType(type.id!)).response.entityType, type);
      assert.ok((await client.retrieveEntityTypes()).response.entityTypes!.some((listed) => listed.id === type.id));

      const chosen = randomUUID();
      const plain = (await client.createEntityType(chosen, { entityType: { name: 'Plain' } })).response.entityType!;
      assert.equal(plain.id, chosen);
      assert.deepEqual(plain.jwtConfiguration, { enabled: false, accessTokenVerificationKeyIds: [] });
      assert.deepEqual(plain.permissions, []);
      assert.deepEqual(plain.data, {});

      // PUT replaces the settings but never the permissions (FusionAuth changes them through their own API).
      const replaced = (await client.updateEntityType(type.id!, { entityType: { name: 'Email API', permissions: [{ name: 'ignored' }] } })).response.entityType!;
      assert.equal(replaced.name, 'Email API');
      assert.deepEqual(replaced.data, {}, 'PUT clears what it does not send');
      assert.deepEqual(replaced.jwtConfiguration, { enabled: false, accessTokenVerificationKeyIds: [] });
      assert.deepEqual(replaced.permissions, type.permissions);
      assert.equal(replaced.insertInstant, type.insertInstant);
      assert.deepEqual(await storedPermissions(type.id!), ['read', 'write']);

      const patched = (await client.patchEntityType(type.id!, { entityType: { data: { tier: 'gold' }, jwtConfiguration: { enabled: true, timeToLiveInSeconds: 60 } } })).response.entityType!;
      assert.equal(patched.name, 'Email API', 'PATCH keeps what it does not name');
      assert.deepEqual(patched.data, { tier: 'gold' });
      assert.equal(patched.jwtConfiguration!.timeToLiveInSeconds, 60);
      const jsonPatched = await gatehouse.app.inject({
        method: 'PATCH',
        url: `/api/entity/type/${type.id}`,
        headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json-patch+json' },
        payload: JSON.stringify([{ op: 'replace', path: '/entityType/name', value: 'Mail API' }]),
      });
      assert.equal(jsonPatched.statusCode, 200, jsonPatched.body);
      assert.equal(jsonPatched.json().entityType.name, 'Mail API');

      assert.equal((await client.deleteEntityType(plain.id!)).statusCode, 200);
      await expectStatus(client.retrieveEntityType(plain.id!), 404);
      await expectStatus(client.deleteEntityType(plain.id!), 404);
      await expectStatus(client.updateEntityType(plain.id!, { entityType: { name: 'Gone' } }), 404);
    });

    it('refuses bad types with exact codes and stores nothing', async () => {
      const taken = await newType({ name: `Taken ${randomUUID()}` });
      const hmac = (await client.generateKey('', { key: { algorithm: 'HS256' as KeyAlgorithm, name: `HMAC ${randomUUID()}` } })).response.key!.id!;
      const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const imported = (await client.importKey('', { key: { name: `Public ${randomUUID()}`, publicKey } })).response.key!.id!;
      const cases: Array<[unknown, string[]]> = [
        [{}, ['[blank]entityType.name']],
        [{ name: '  ' }, ['[blank]entityType.name']],
        [{ name: 'x'.repeat(192) }, ['[tooLong]entityType.name']],
        [{ name: taken.name!.toUpperCase() }, ['[duplicate]entityType.name']],
        [{ name: 'ok', data: [] }, ['[invalid]entityType.data']],
        [{ name: 'ok', jwtConfiguration: { enabled: true } }, ['[invalid]entityType.jwtConfiguration.timeToLiveInSeconds']],
        [{ name: 'ok', jwtConfiguration: { enabled: true, timeToLiveInSeconds: 0 } }, ['[invalid]entityType.jwtConfiguration.timeToLiveInSeconds']],
        [{ name: 'ok', jwtConfiguration: { timeToLiveInSeconds: 2 ** 31 } }, ['[tooLarge]entityType.jwtConfiguration.timeToLiveInSeconds']],
        [{ name: 'ok', jwtConfiguration: { accessTokenKeyId: randomUUID() } }, ['[invalid]entityType.jwtConfiguration.accessTokenKeyId']],
        [{ name: 'ok', jwtConfiguration: { accessTokenKeyId: imported } }, ['[invalid]entityType.jwtConfiguration.accessTokenKeyId']],
        [{ name: 'ok', jwtConfiguration: { accessTokenKeyId: 'nope' } }, ['[invalid]entityType.jwtConfiguration.accessTokenKeyId']],
        [{ name: 'ok', jwtConfiguration: { accessTokenVerificationKeyIds: [randomUUID()] } }, ['[cannotVerify]entityType.jwtConfiguration.accessTokenVerificationKeyIds']],
        [{ name: 'ok', permissions: [{ name: 'read' }, { name: 'read' }] }, ['[duplicate]entityType.permissions']],
        [{ name: 'ok', permissions: [{ name: '' }] }, ['[blank]entityType.permissions.name']],
        [{ name: 'ok', permissions: [{ description: 'no name' }] }, ['[blank]entityType.permissions.name']],
        [{ name: 'ok', permissions: [{ name: 'a', description: 'd'.repeat(256) }] }, ['[tooLong]entityType.permissions.description']],
        [{ name: 'ok', permissions: [{ name: 'a', isDefault: 'yes' }] }, ['[invalid]entityType.permissions.isDefault']],
        [{ name: '', jwtConfiguration: { enabled: true } }, ['[blank]entityType.name', '[invalid]entityType.jwtConfiguration.timeToLiveInSeconds']],
      ];
      const before = await typeCount();
      for (const [entityType, codes] of cases) {
        const body = await expectStatus(client.createEntityType('', { entityType: entityType as EntityType }), 400);
        assert.deepEqual(errorCodes(body).sort(), [...codes].sort(), JSON.stringify(entityType));
      }
      const missing = await expectStatus(client.createEntityType('', {}), 400);
      assert.deepEqual(errorCodes(missing), ['[blank]entityType']);
      const duplicateId = await expectStatus(client.createEntityType(taken.id!, { entityType: { name: `Other ${randomUUID()}` } }), 400);
      assert.deepEqual(errorCodes(duplicateId), ['[duplicate]entityTypeId']);
      const permission = (await client.createEntityTypePermission(taken.id!, '', { permission: { name: 'p' } })).response.permission!;
      const duplicatePermissionId = await expectStatus(client.createEntityType('', { entityType: { name: `Other ${randomUUID()}`, permissions: [{ id: permission.id!, name: 'p' }] } }), 400);
      assert.deepEqual(errorCodes(duplicatePermissionId), ['[duplicate]entityType.permissions.id']);
      assert.equal(await typeCount(), before, 'nothing stored on a 400');

      // Valid keys: an HMAC key can sign; any stored key can verify.
      const signed = await newType({ jwtConfiguration: { enabled: true, timeToLiveInSeconds: 30, accessTokenKeyId: hmac, accessTokenVerificationKeyIds: [imported, imported.toUpperCase()] } });
      assert.deepEqual(signed.jwtConfiguration!.accessTokenVerificationKeyIds, [imported]);
      const update = await expectStatus(client.updateEntityType(signed.id!, { entityType: { name: taken.name! } }), 400);
      assert.deepEqual(errorCodes(update), ['[duplicate]entityType.name']);
      const blank = await expectStatus(client.patchEntityType(signed.id!, { entityType: { name: ' ', jwtConfiguration: { timeToLiveInSeconds: -1 } } }), 400);
      assert.deepEqual(errorCodes(blank).sort(), ['[blank]entityType.name', '[invalid]entityType.jwtConfiguration.timeToLiveInSeconds']);
    });

    it('manages permissions: create with or without an id, update keeps the name, delete by id or name', async () => {
      const type = await newType();
      const read = (await client.createEntityTypePermission(type.id!, '', { permission: { name: 'read', description: 'Reads', isDefault: true, data: { a: 1 } } })).response.permission!;
      assert.equal(read.name, 'read');
      assert.equal(read.description, 'Reads');
      assert.equal(read.isDefault, true);
      assert.deepEqual(read.data, { a: 1 });
      const chosen = randomUUID();
      const write = (await client.createEntityTypePermission(type.id!, chosen, { permission: { name: 'write' } })).response.permission!;
      assert.equal(write.id, chosen);
      assert.equal(write.isDefault, false);
      const upper = (await client.createEntityTypePermission(type.id!, '', { permission: { name: 'READ' } })).response.permission!;
      assert.deepEqual(await storedPermissions(type.id!), ['READ', 'read', 'write'], 'names are case-sensitive');
      assert.deepEqual((await client.retrieveEntityType(type.id!)).response.entityType!.permissions!.map((permission) => permission.name), ['READ', 'read', 'write']);

      const cases: Array<[unknown, string]> = [
        [{}, '[blank]permission.name'],
        [{ name: '' }, '[blank]permission.name'],
        [{ name: ' ' }, '[blank]permission.name'],
        [{ name: 'x'.repeat(192) }, '[tooLong]permission.name'],
        [{ name: 'ok', description: 'd'.repeat(256) }, '[tooLong]permission.description'],
        [{ name: 'ok', isDefault: 1 }, '[invalid]permission.isDefault'],
        [{ name: 'read' }, '[duplicate]permission.name'],
      ];
      for (const [permission, code] of cases) {
        const body = await expectStatus(client.createEntityTypePermission(type.id!, '', { permission: permission as EntityTypePermission }), 400);
        assert.deepEqual(errorCodes(body), [code], JSON.stringify(permission));
      }
      const reused = await expectStatus(client.createEntityTypePermission((await newType()).id!, write.id!, { permission: { name: 'other' } }), 400);
      assert.deepEqual(errorCodes(reused), ['[duplicate]permissionId']);
      const missing = await expectStatus(client.createEntityTypePermission(type.id!, '', {}), 400);
      assert.deepEqual(errorCodes(missing), ['[blank]permission']);
      await expectStatus(client.createEntityTypePermission(randomUUID(), '', { permission: { name: 'x' } }), 404);
      assert.deepEqual(await storedPermissions(type.id!), ['READ', 'read', 'write']);

      // FusionAuth's update body has no name: the name never changes, a name sent is ignored.
      const updated = (await client.updateEntityTypePermission(type.id!, read.id!, { permission: { description: 'Reads all' } })).response.permission!;
      assert.equal(updated.name, 'read');
      assert.equal(updated.description, 'Reads all');
      assert.equal(updated.isDefault, false, 'PUT resets what it does not send');
      assert.deepEqual(updated.data, {});
      assert.equal(updated.insertInstant, read.insertInstant);
      const renamed = (await client.updateEntityTypePermission(type.id!, read.id!, { permission: { name: 'renamed', description: 'Reads all', isDefault: true } })).response.permission!;
      assert.equal(renamed.name, 'read');
      const patched = (await client.patchEntityTypePermission(type.id!, read.id!, { permission: { data: { b: 2 } } })).response.permission!;
      assert.equal(patched.isDefault, true);
      assert.equal(patched.description, 'Reads all');
      assert.deepEqual(patched.data, { b: 2 });
      const tooLong = await expectStatus(client.patchEntityTypePermission(type.id!, read.id!, { permission: { description: 'x'.repeat(256) } }), 400);
      assert.deepEqual(errorCodes(tooLong), ['[tooLong]permission.description']);
      await expectStatus(client.updateEntityTypePermission(type.id!, randomUUID(), { permission: {} }), 404);
      await expectStatus(client.updateEntityTypePermission((await newType()).id!, read.id!, { permission: {} }), 404);

      assert.equal((await client.deleteEntityTypePermission(type.id!, upper.id!)).statusCode, 200);
      await expectStatus(client.deleteEntityTypePermission(type.id!, upper.id!), 404);
      const byName = await gatehouse.app.inject({ method: 'DELETE', url: `/api/entity/type/${type.id}/permission?name=write`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(byName.statusCode, 200);
      assert.equal(byName.body, '');
      const again = await gatehouse.app.inject({ method: 'DELETE', url: `/api/entity/type/${type.id}/permission?name=write`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(again.statusCode, 404);
      assert.deepEqual(await storedPermissions(type.id!), ['read']);
      assert.equal((await client.deleteEntityType(type.id!)).statusCode, 200);
      assert.deepEqual(await storedPermissions(type.id!), [], 'permissions go with their type');
    });

    it('searches by name with paging and ordering, by POST and GET', async () => {
      const marker = randomUUID().slice(0, 8);
      const names = [`Zeta ${marker}`, `alpha ${marker}`, `Mid ${marker}`];
      const created: EntityType[] = [];
      for (const name of names) created.push(await newType({ name }));
      const found = (await client.searchEntityTypes({ search: { name: marker } })).response;
      assert.equal(found.total, 3);
      assert.deepEqual(found.entityTypes!.map((type) => type.name), [`alpha ${marker}`, `Mid ${marker}`, `Zeta ${marker}`], 'name ASC, case-insensitive');
      const page = (await client.searchEntityTypes({ search: { name: `*${marker}`, orderBy: 'insertInstant DESC', startRow: 1, numberOfResults: 1 } })).response;
      assert.equal(page.total, 3);
      assert.deepEqual(page.entityTypes!.map((type) => type.id), [created[1]!.id]);
      const byGet = (await client.searchEntityTypesByParameters(`ALPHA ${marker}`, 10, 'name DESC', 0)).response;
      assert.deepEqual(byGet.entityTypes!.map((type) => type.name), [`alpha ${marker}`]);
      assert.ok((await client.searchEntityTypes({ search: { name: '*' } })).response.total! >= 3);
      assert.ok((await client.searchEntityTypes({})).response.total! >= 3, 'no criteria: every type');
      assert.equal((await client.searchEntityTypes({ search: { name: `nothing-${randomUUID()}` } })).response.total, 0);
      for (const [search, code] of [
        [{ orderBy: 'color ASC' }, '[invalid]search.orderBy'],
        [{ orderBy: 'name sideways' }, '[invalid]search.orderBy'],
        [{ numberOfResults: -1 }, '[tooSmall]search.numberOfResults'],
        [{ startRow: 'x' }, '[invalid]search.startRow'],
      ] as const) {
        assert.deepEqual(errorCodes(await expectStatus(client.searchEntityTypes({ search: search as never }), 400)), [code]);
      }
    });

    it('keeps the key it signs with from being deleted', async () => {
      const keyId = (await client.generateKey('', { key: { algorithm: 'ES256' as KeyAlgorithm, name: `Type key ${randomUUID()}` } })).response.key!.id!;
      const type = await newType({ jwtConfiguration: { enabled: true, timeToLiveInSeconds: 60, accessTokenKeyId: keyId } });
      const refused = await expectStatus(client.deleteKey(keyId), 400);
      assert.deepEqual(errorCodes(refused), ['[KeyInUse]']);
      assert.match(refused!.generalErrors![0]!.message, new RegExp(`entity type ${type.id}`));
      await client.patchEntityType(type.id!, { entityType: { jwtConfiguration: { enabled: false, accessTokenKeyId: null as never } } });
      assert.equal((await client.deleteKey(keyId)).statusCode, 200);
    });

    it('is for unscoped API keys only', async () => {
      const type = await newType();
      const tenantId = (await client.createTenant('', { tenant: { name: `Scoped ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId } })).response.apiKey!.key!);
      await expectStatus(scoped.createEntityType('', { entityType: { name: `Scoped ${randomUUID()}` } }), 401);
      await expectStatus(scoped.retrieveEntityType(type.id!), 401);
      await expectStatus(scoped.retrieveEntityTypes(), 401);
      await expectStatus(scoped.updateEntityType(type.id!, { entityType: { name: 'x' } }), 401);
      await expectStatus(scoped.deleteEntityType(type.id!), 401);
      await expectStatus(scoped.searchEntityTypes({ search: {} }), 401);
      await expectStatus(scoped.createEntityTypePermission(type.id!, '', { permission: { name: 'x' } }), 401);
      await expectStatus(scoped.deleteEntityTypePermission(type.id!, randomUUID()), 401);
      assert.deepEqual((await client.retrieveEntityType(type.id!)).response.entityType, type);
    });
  });
}
