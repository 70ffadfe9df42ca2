import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { DuplicateError } from '../../src/store/store-errors.ts';
import { apiKey, signingKey, tenant } from '../helpers/store-fixtures.ts';
import { backends, openTestStore, type TestStore } from '../helpers/test-stores.ts';

for (const backend of backends) {
  describe(`store conformance on ${backend}`, () => {
    let testStore: TestStore;
    before(async () => {
      testStore = await openTestStore(backend);
    });
    after(async () => {
      await testStore.dispose();
    });

    it('migrating again applies nothing', async () => {
      assert.deepEqual(await migrateToLatest(testStore.store.db), []);
    });

    it('answers a ping', async () => {
      assert.equal(await testStore.store.ping(), true);
      assert.equal(testStore.store.backend, backend);
    });

    it('decodes int8 as number and bytea as Buffer on both backends', async () => {
      const { rows } = await sql<{ big: unknown; count: unknown; bytes: unknown }>`
        select 9007199254740991::int8 as big, count(*) as count, ${Buffer.from([1, 2, 3])}::bytea as bytes`.execute(testStore.store.db);
      const [row] = rows;
      assert.equal(row?.big, 9007199254740991);
      assert.equal(row?.count, 1);
      assert.ok(Buffer.isBuffer(row?.bytes));
      assert.deepEqual(row?.bytes, Buffer.from([1, 2, 3]));
    });

    it('stores, finds, updates and deletes tenants, with JSON settings and epoch millis intact', async () => {
      const { tenants } = testStore.store.repositories;
      const created = tenant(`Acme ${randomUUID()}`);
      await tenants.insert(created);
      assert.deepEqual(await tenants.find(created.id), created);
      const renamed = { ...created, settings: { ...created.settings, name: `Renamed ${randomUUID()}` }, lastUpdateInstant: 1_800_000_000_000 };
      await tenants.update(renamed);
      assert.deepEqual(await tenants.find(created.id), renamed);
      const doomed = tenant(`Doomed ${randomUUID()}`);
      await tenants.insert(doomed);
      assert.equal(await tenants.delete(doomed.id), true);
      assert.equal(await tenants.delete(doomed.id), false);
      assert.equal(await tenants.find(randomUUID()), undefined);
      assert.ok((await tenants.list()).some((found) => found.id === created.id));
      assert.equal(typeof (await tenants.count()), 'number');
    });

    it('refuses a second tenant with the same name in another case', async () => {
      const { tenants } = testStore.store.repositories;
      const name = `Unique ${randomUUID()}`;
      await tenants.insert(tenant(name));
      await assert.rejects(tenants.insert(tenant(name.toUpperCase())), (error: unknown) => {
        assert.ok(error instanceof DuplicateError);
        assert.equal(error.constraint, 'tenants_name_key');
        return true;
      });
    });

    it('rolls back every write of a failed transaction', async () => {
      const first = tenant(`Rollback A ${randomUUID()}`);
      await assert.rejects(
        testStore.store.transaction(async (repositories) => {
          await repositories.tenants.insert(first);
          await repositories.tenants.insert(tenant(`Rollback B ${randomUUID()}`));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await testStore.store.repositories.tenants.find(first.id), undefined);
    });

    it('commits a successful transaction', async () => {
      const created = tenant(`Commit ${randomUUID()}`);
      await testStore.store.transaction((repositories) => repositories.tenants.insert(created));
      assert.deepEqual(await testStore.store.repositories.tenants.find(created.id), created);
    });

    it('keeps concurrent transactions apart', async () => {
      // Each transaction reads the count of its marker rows and inserts one more; interleaved
      // BEGIN/COMMIT on one session (the PGlite trap) would make them see each other's rows early.
      const marker = randomUUID();
      await sql`create table if not exists conformance_counter (marker text, n int)`.execute(testStore.store.db);
      const increment = () =>
        testStore.store.db.transaction().setIsolationLevel('serializable').execute(async (trx) => {
          await sql`lock table conformance_counter in exclusive mode`.execute(trx);
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from conformance_counter where marker = ${marker}`.execute(trx);
          await sql`insert into conformance_counter values (${marker}, ${(rows[0]?.n ?? 0) + 1})`.execute(trx);
        });
      // PostgreSQL may cancel a serializable transaction (40001) under load, as its clients must expect:
      // retried, it must still see every earlier commit and none of the others' uncommitted rows.
      const withRetry = async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await increment();
          } catch (error) {
            if ((error as { code?: string }).code !== '40001' || attempt >= 5) throw error;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, withRetry));
      const { rows } = await sql<{ n: number }>`select n from conformance_counter where marker = ${marker} order by n`.execute(testStore.store.db);
      assert.deepEqual(rows.map((row) => row.n), [1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('rolls back to a savepoint and keeps what came before it', async () => {
      const kept = tenant(`Savepoint kept ${randomUUID()}`);
      const undone = tenant(`Savepoint undone ${randomUUID()}`);
      const trx = await testStore.store.db.startTransaction().execute();
      await trx.insertInto('tenants').values({ id: kept.id, name: kept.settings.name, data: '{}', insert_instant: 1, last_update_instant: 1 }).execute();
      const savepoint = await trx.savepoint('before_second').execute();
      await savepoint.insertInto('tenants').values({ id: undone.id, name: undone.settings.name, data: '{}', insert_instant: 1, last_update_instant: 1 }).execute();
      await savepoint.rollbackToSavepoint('before_second').execute();
      await trx.commit().execute();
      assert.ok(await testStore.store.repositories.tenants.find(kept.id));
      assert.equal(await testStore.store.repositories.tenants.find(undone.id), undefined);
    });

    it('stores signing keys: published list, newest active key, retirement', async () => {
      const { signingKeys } = testStore.store.repositories;
      const algorithm = `T${randomUUID().slice(0, 6)}`;
      const older = signingKey(algorithm, 1000);
      const newer = signingKey(algorithm, 2000);
      const hmac = signingKey(algorithm, 500, { publicJwk: undefined });
      for (const key of [older, newer, hmac]) await signingKeys.insert(key);
      assert.deepEqual(await signingKeys.find(older.id), older);
      assert.equal((await signingKeys.findActive(algorithm))?.id, newer.id);
      assert.equal(await signingKeys.retireOthers(algorithm, newer.id, 3000), 2);
      assert.equal((await signingKeys.find(older.id))?.retiredInstant, 3000);
      const published = (await signingKeys.listPublished()).filter((key) => key.algorithm === algorithm);
      assert.deepEqual(published.map((key) => key.id), [older.id, newer.id]);
      assert.deepEqual(published[0]?.privateSealed, Buffer.from([0, 1, 2, 255]));
      await assert.rejects(signingKeys.insert({ ...signingKey(algorithm, 4000), kid: newer.kid }), DuplicateError);
    });

    it('keeps Key Master keys out of rotation and verification-only keys out of the JWKS; renames and deletes', async () => {
      const { signingKeys } = testStore.store.repositories;
      const algorithm = `T${randomUUID().slice(0, 6)}`;
      const rotation = signingKey(algorithm, 1000);
      const generated = signingKey(algorithm, 2000, { origin: 'generate', name: `Generated ${randomUUID()}` });
      const verifyOnly = signingKey(algorithm, 3000, { origin: 'import', privateSealed: undefined, certificate: '-----BEGIN CERTIFICATE-----' });
      for (const key of [rotation, generated, verifyOnly]) await signingKeys.insert(key);
      assert.deepEqual(await signingKeys.find(verifyOnly.id), verifyOnly);
      assert.deepEqual(await signingKeys.findByKid(generated.kid), generated);
      assert.equal(await signingKeys.findByKid('no such kid'), undefined);
      assert.equal((await signingKeys.findActive(algorithm))?.id, rotation.id, 'a newer Key Master key does not take over signing');
      assert.equal(await signingKeys.retireOthers(algorithm, rotation.id, 4000), 0, 'rotation leaves Key Master keys alone');
      const published = (await signingKeys.listPublished()).filter((key) => key.algorithm === algorithm).map((key) => key.id);
      assert.deepEqual(published, [rotation.id, generated.id]);
      assert.deepEqual((await signingKeys.list()).filter((key) => key.algorithm === algorithm).map((key) => key.id), [rotation.id, generated.id, verifyOnly.id]);

      assert.equal(await signingKeys.rename(generated.id, 'Renamed', 5000), true);
      assert.deepEqual(await signingKeys.find(generated.id), { ...generated, name: 'Renamed', lastUpdateInstant: 5000 });
      assert.equal(await signingKeys.rename(randomUUID(), 'Nobody', 5000), false);
      await assert.rejects(signingKeys.rename(rotation.id, 'RENAMED', 6000), (error: unknown) => {
        assert.ok(error instanceof DuplicateError);
        assert.equal(error.constraint, 'signing_keys_name_key');
        return true;
      });
      await assert.rejects(signingKeys.insert(signingKey(algorithm, 7000, { name: 'renamed' })), DuplicateError);

      assert.equal(await signingKeys.delete(generated.id), true);
      assert.equal(await signingKeys.delete(generated.id), false);
      assert.equal(await signingKeys.find(generated.id), undefined);
    });

    it('stores API keys by hash and deletes them', async () => {
      const { apiKeys } = testStore.store.repositories;
      const key = apiKey({ expirationInstant: 1_900_000_000_000 });
      await apiKeys.insert(key);
      assert.deepEqual(await apiKeys.findByHash(key.keyHash), key);
      assert.deepEqual(await apiKeys.find(key.id), key);
      assert.equal(await apiKeys.findByHash(Buffer.from('nope')), undefined);
      await assert.rejects(apiKeys.insert(apiKey({ keyHash: key.keyHash })), (error: unknown) => {
        assert.ok(error instanceof DuplicateError);
        assert.equal(error.constraint, 'api_keys_key_hash_key');
        return true;
      });
      assert.equal(await apiKeys.delete(key.id), true);
      assert.equal(await apiKeys.delete(key.id), false);
      assert.equal(await apiKeys.find(key.id), undefined);
    });

    it('deletes a tenant-scoped API key with its tenant', async () => {
      const owner = tenant(`Owner ${randomUUID()}`);
      await testStore.store.repositories.tenants.insert(owner);
      const key = apiKey({ tenantId: owner.id });
      await testStore.store.repositories.apiKeys.insert(key);
      await testStore.store.db.deleteFrom('tenants').where('id', '=', owner.id).execute();
      assert.equal(await testStore.store.repositories.apiKeys.find(key.id), undefined);
    });

    it('keeps one instance row', async () => {
      const { instance } = testStore.store.repositories;
      assert.equal(await instance.find(), undefined);
      const row = { instanceId: randomUUID(), defaultTenantId: randomUUID(), setupInstant: 5, kickstartState: 'none' as const, keyCheck: Buffer.from([9]) };
      await instance.insert(row);
      assert.deepEqual(await instance.find(), row);
      await instance.setKickstartState('done');
      assert.equal((await instance.find())?.kickstartState, 'done');
      await assert.rejects(instance.insert({ ...row, instanceId: randomUUID() }));
    });
  });
}
