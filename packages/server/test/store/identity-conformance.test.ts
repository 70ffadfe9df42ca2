import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Application } from '../../src/store/repositories/application-repository.ts';
import type { User } from '../../src/store/repositories/user-repository.ts';
import { DuplicateError } from '../../src/store/store-errors.ts';
import { application, role, tenant, user } from '../helpers/store-fixtures.ts';
import { backends, openTestStore, type TestStore } from '../helpers/test-stores.ts';

// The identity aggregates (users, applications) under the same conformance rule: one suite, both backends.
for (const backend of backends) {
  describe(`identity store conformance on ${backend}`, () => {
    let testStore: TestStore;
    before(async () => {
      testStore = await openTestStore(backend);
    });
    after(async () => {
      await testStore.dispose();
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
  });
}
