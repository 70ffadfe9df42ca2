import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { DuplicateError } from '../../src/store/store-errors.ts';
import type { ApiKeyRecord } from '../../src/store/repositories/api-key-repository.ts';
import type { Application, ApplicationRole } from '../../src/store/repositories/application-repository.ts';
import type { SigningKeyRecord } from '../../src/store/repositories/signing-key-repository.ts';
import type { User } from '../../src/store/repositories/user-repository.ts';
import { validateApplication } from '../../src/tenancy/application-input.ts';
import { validateTenantSettings } from '../../src/tenancy/tenants.ts';
import { backends, openTestStore, type TestStore } from '../helpers/test-stores.ts';

function tenant(name: string, instant = 1_700_000_000_000) {
  const settings = validateTenantSettings({ name, issuer: 'https://login.example.com', data: { nested: { ttl: 60 } } });
  return { id: randomUUID(), settings, insertInstant: instant, lastUpdateInstant: instant };
}

function signingKey(algorithm: string, instant: number, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    id: randomUUID(),
    kid: randomUUID(),
    algorithm,
    name: `test key ${randomUUID()}`,
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
    privateSealed: Buffer.from([0, 1, 2, 255]),
    origin: 'rotation',
    certificate: undefined,
    insertInstant: instant,
    lastUpdateInstant: instant,
    retiredInstant: undefined,
    ...overrides,
  };
}

function apiKey(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: randomUUID(),
    keyHash: Buffer.from(randomUUID()),
    tenantId: undefined,
    description: 'test',
    permissions: { '/api/user': ['GET'] },
    keyManager: false,
    expirationInstant: undefined,
    insertInstant: 1_700_000_000_000,
    lastUpdateInstant: 1_700_000_000_000,
    ...overrides,
  };
}

function user(tenantId: string, overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    tenantId,
    email: `${randomUUID()}@example.com`,
    username: undefined,
    password: { hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA', scheme: 'argon2id', factor: 2, salt: undefined },
    passwordChangeRequired: false,
    passwordLastUpdateInstant: 1_700_000_000_000,
    active: true,
    verified: true,
    profile: { firstName: 'Ada', lastName: 'Lovelace', preferredLanguages: ['en', 'fr'], data: { nested: { n: 1 } } },
    expiry: undefined,
    lastLoginInstant: undefined,
    insertInstant: 1_700_000_000_000,
    lastUpdateInstant: 1_700_000_000_000,
    ...overrides,
  };
}

function role(name: string, overrides: Partial<ApplicationRole> = {}): ApplicationRole {
  return { id: randomUUID(), name, description: undefined, isDefault: false, isSuperRole: false, insertInstant: 1_700_000_000_000, lastUpdateInstant: 1_700_000_000_000, ...overrides };
}

function application(tenantId: string, name: string, roles: ApplicationRole[] = []): Application {
  const { settings } = validateApplication({ name, oauthConfiguration: { authorizedRedirectURLs: ['https://app.example.com/cb'] }, data: { nested: { n: 1 } } });
  return { id: randomUUID(), tenantId, active: true, settings, clientSecretSealed: Buffer.from([7, 0, 255]), roles, insertInstant: 1_700_000_000_000, lastUpdateInstant: 1_700_000_000_000 };
}

// The same suite, unchanged, on both backends: what passes on the embedded store passes in production.
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
      await Promise.all(
        Array.from({ length: 8 }, () =>
          testStore.store.db.transaction().setIsolationLevel('serializable').execute(async (trx) => {
            await sql`lock table conformance_counter in exclusive mode`.execute(trx);
            const { rows } = await sql<{ n: number }>`select count(*)::int as n from conformance_counter where marker = ${marker}`.execute(trx);
            await sql`insert into conformance_counter values (${marker}, ${(rows[0]?.n ?? 0) + 1})`.execute(trx);
          }),
        ),
      );
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

    it('stores, finds, updates and deletes users, with the profile and password intact', async () => {
      const { tenants, users } = testStore.store.repositories;
      const owner = tenant(`Users ${randomUUID()}`);
      await tenants.insert(owner);
      const created = user(owner.id, { username: `Ada-${randomUUID()}`, expiry: 1_900_000_000_000 });
      await users.insert(created);
      assert.deepEqual(await users.find(created.id), created);
      assert.deepEqual(await users.findByEmail(created.email!.toUpperCase(), owner.id), [created]);
      assert.deepEqual(await users.findByEmail(created.email!, undefined), [created]);
      assert.deepEqual(await users.findByUsername(created.username!.toLowerCase(), owner.id), [created]);
      assert.deepEqual(await users.findByLoginId(created.username!, owner.id), [created]);
      assert.deepEqual(await users.findByLoginId(created.email!, owner.id), [created]);
      assert.deepEqual(await users.findByEmail(created.email!, randomUUID()), []);
      const imported = { ...created, password: { hash: 'E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', scheme: 'bcrypt', factor: 5, salt: 'CCCCCCCCCCCCCCCCCCCCC.' }, active: false, lastUpdateInstant: 1_800_000_000_000 };
      await users.update(imported);
      assert.deepEqual(await users.find(created.id), imported);
      const noPassword = { ...imported, password: undefined, passwordLastUpdateInstant: undefined, email: undefined };
      await users.update(noPassword);
      assert.deepEqual(await users.find(created.id), noPassword);
      assert.equal(await users.delete(created.id), true);
      assert.equal(await users.delete(created.id), false);
      assert.equal(await users.find(created.id), undefined);
    });

    it('keeps emails and usernames unique per tenant, case-insensitively, and deletes users with their tenant', async () => {
      const { tenants, users } = testStore.store.repositories;
      const [first, second] = [tenant(`Unique users A ${randomUUID()}`), tenant(`Unique users B ${randomUUID()}`)];
      await tenants.insert(first);
      await tenants.insert(second);
      const email = `Same-${randomUUID()}@Example.com`;
      const username = `same-${randomUUID()}`;
      const original = user(first.id, { email, username });
      await users.insert(original);
      const rejects = (candidate: User, constraint: string) =>
        assert.rejects(users.insert(candidate), (error: unknown) => error instanceof DuplicateError && error.constraint === constraint);
      await rejects(user(first.id, { email: email.toLowerCase() }), 'users_email_key');
      await rejects(user(first.id, { username: username.toUpperCase() }), 'users_username_key');
      await rejects(user(first.id, { id: original.id }), 'users_pkey');
      const elsewhere = user(second.id, { email: email.toUpperCase(), username });
      await users.insert(elsewhere);
      assert.equal((await users.findByEmail(email, undefined)).length, 2, 'unscoped lookups report the ambiguity');
      assert.deepEqual(await users.findByEmail(email, second.id), [elsewhere]);
      assert.deepEqual(await users.findTaken(first.id, [original.id, randomUUID()], [email.toUpperCase(), 'free@example.com'], [username]), {
        ids: [original.id], emails: [email], usernames: [username],
      });
      await tenants.delete(first.id);
      assert.equal(await users.find(original.id), undefined);
      assert.ok(await users.find(elsewhere.id));
    });

    it('searches users by query string and ids, with paging and a total', async () => {
      const { tenants, users } = testStore.store.repositories;
      const owner = tenant(`Search ${randomUUID()}`);
      await tenants.insert(owner);
      const marker = randomUUID().slice(0, 8);
      const people = Array.from({ length: 5 }, (_, n) =>
        user(owner.id, { email: `p${n}-${marker}@search.example`, insertInstant: 1_700_000_000_000 + n, profile: { firstName: n === 3 ? `Grace_${marker}` : 'Ada', data: {} } }),
      );
      await users.insertMany(people);
      const page = await users.search({ tenantId: owner.id, queryString: '*', startRow: 1, numberOfResults: 2 });
      assert.equal(page.total, 5);
      assert.deepEqual(page.users.map((found) => found.id), [people[1]!.id, people[2]!.id]);
      assert.deepEqual((await users.search({ tenantId: owner.id, queryString: `grace_${marker}`, startRow: 0, numberOfResults: 10 })).users.map((found) => found.id), [people[3]!.id]);
      assert.equal((await users.search({ tenantId: owner.id, queryString: `P*-${marker}@SEARCH.example`, startRow: 0, numberOfResults: 10 })).total, 5);
      assert.equal((await users.search({ tenantId: owner.id, queryString: '100%_', startRow: 0, numberOfResults: 10 })).total, 0, 'LIKE wildcards are literal');
      assert.equal((await users.search({ tenantId: undefined, queryString: marker, startRow: 0, numberOfResults: 10 })).total, 5);
      assert.equal((await users.search({ tenantId: randomUUID(), queryString: marker, startRow: 0, numberOfResults: 10 })).total, 0);
      const byIds = await users.search({ tenantId: owner.id, ids: [people[4]!.id, people[0]!.id, randomUUID()], startRow: 0, numberOfResults: 10 });
      assert.deepEqual(byIds.users.map((found) => found.id), [people[0]!.id, people[4]!.id]);
      assert.equal((await users.search({ tenantId: owner.id, ids: [], startRow: 0, numberOfResults: 10 })).total, 0);
    });

    it('imports many users in one transaction: all of them, or none', async () => {
      const { tenants, users } = testStore.store.repositories;
      const owner = tenant(`Import ${randomUUID()}`);
      await tenants.insert(owner);
      const batch = Array.from({ length: 1203 }, () => user(owner.id));
      await users.insertMany(batch);
      assert.equal((await users.search({ tenantId: owner.id, startRow: 0, numberOfResults: 1 })).total, 1203);
      const clash = [user(owner.id), user(owner.id, { email: batch[0]!.email })];
      await assert.rejects(users.insertMany(clash), DuplicateError);
      assert.equal(await users.find(clash[0]!.id), undefined);
    });

    it('stores applications with their roles, lists them by state and tenant, updates and deletes them', async () => {
      const { tenants, applications } = testStore.store.repositories;
      const owner = tenant(`App owner ${randomUUID()}`);
      await tenants.insert(owner);
      const created = application(owner.id, `Portal ${randomUUID()}`, [role('admin', { description: 'All', isSuperRole: true }), role('user', { isDefault: true })]);
      await applications.insert(created);
      assert.deepEqual(await applications.find(created.id), created);
      assert.equal(await applications.find(randomUUID()), undefined);

      const renamed: Application = { ...created, settings: { ...created.settings, name: `Renamed ${randomUUID()}` }, clientSecretSealed: Buffer.from([1]), lastUpdateInstant: 1_800_000_000_000 };
      await applications.update(renamed);
      assert.deepEqual(await applications.find(created.id), renamed);

      const other = application(owner.id, `Other ${randomUUID()}`);
      await applications.insert(other);
      assert.equal(await applications.setActive(other.id, false, 1_900_000_000_000), true);
      assert.deepEqual((await applications.list({ active: true, tenantId: owner.id })).map((found) => found.id), [created.id]);
      assert.deepEqual((await applications.list({ active: false, tenantId: owner.id })).map((found) => found.id), [other.id]);
      assert.ok((await applications.list({ active: true })).some((found) => found.id === created.id));
      assert.equal((await applications.find(other.id))?.lastUpdateInstant, 1_900_000_000_000);
      assert.equal(await applications.setActive(randomUUID(), true, 1), false);

      assert.equal(await applications.delete(created.id), true);
      assert.equal(await applications.delete(created.id), false);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from application_roles where application_id = ${created.id}`.execute(testStore.store.db);
      assert.equal(rows[0]?.n, 0, 'roles go with their application');
    });

    it('keeps application names unique per tenant in any case, and role names per application', async () => {
      const { tenants, applications } = testStore.store.repositories;
      const first = tenant(`First ${randomUUID()}`);
      const second = tenant(`Second ${randomUUID()}`);
      await tenants.insert(first);
      await tenants.insert(second);
      const name = `Same ${randomUUID()}`;
      const original = application(first.id, name);
      await applications.insert(original);
      const expectDuplicate = (constraint: string) => (error: unknown) => {
        assert.ok(error instanceof DuplicateError);
        assert.equal(error.constraint, constraint);
        return true;
      };
      await assert.rejects(applications.insert(application(first.id, name.toUpperCase())), expectDuplicate('applications_name_key'));
      await applications.insert(application(second.id, name));
      await assert.rejects(applications.insert({ ...application(first.id, `Other ${randomUUID()}`), id: original.id }), expectDuplicate('applications_pkey'));
      await assert.rejects(applications.insert(application(first.id, `Roles ${randomUUID()}`, [role('a'), role('A')])), expectDuplicate('application_roles_name_key'));

      const editor = role('editor');
      await applications.insertRole(original.id, editor);
      await assert.rejects(applications.insertRole(original.id, role('EDITOR')), expectDuplicate('application_roles_name_key'));
      await assert.rejects(applications.insertRole(original.id, role('copy', { id: editor.id })), expectDuplicate('application_roles_pkey'));
      const viewer = role('viewer');
      await applications.insertRole(original.id, viewer);
      await assert.rejects(applications.updateRole(original.id, { ...viewer, name: 'Editor' }), expectDuplicate('application_roles_name_key'));
      assert.equal(await applications.updateRole(original.id, { ...viewer, name: 'reader', description: 'Reads', lastUpdateInstant: 5 }), true);
      assert.equal(await applications.updateRole(randomUUID(), { ...viewer, name: 'elsewhere' }), false, 'a role is changed only through its application');
      assert.deepEqual((await applications.find(original.id))?.roles, [editor, { ...viewer, name: 'reader', description: 'Reads', lastUpdateInstant: 5 }]);
      assert.equal(await applications.deleteRole(original.id, { name: 'READER' }), true);
      assert.equal(await applications.deleteRole(original.id, { id: editor.id }), true);
      assert.equal(await applications.deleteRole(original.id, { id: editor.id }), false);
      assert.deepEqual((await applications.find(original.id))?.roles, []);

      await tenants.delete(first.id);
      assert.equal(await applications.find(original.id), undefined, 'applications go with their tenant');
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
