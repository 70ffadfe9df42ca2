import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, Tenant, User } from '@fusionauth/typescript-client';
import { verifyPassword } from '../../src/identity/passwords/verify-password.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

for (const backend of backends) {
  describe(`/api/user on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    /** The bootstrap (global) key, unscoped: sees every tenant. */
    let global: FusionAuthClient;
    /** The bootstrap key naming the default tenant in X-FusionAuth-TenantId. */
    let client: FusionAuthClient;
    let otherTenant: string;
    let strictTenant: string;
    const responses: string[] = [];
    const password = 'correct horse battery';

    before(async () => {
      gatehouse = await createTestApp(backend);
      let unscoped: FusionAuthClient;
      ({ client: unscoped, clientFor } = await serveWithClient(gatehouse));
      global = unscoped;
      client = clientFor(gatehouse.apiKey, gatehouse.setup.defaultTenantId);
      otherTenant = (await global.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!.id!;
      const strict = { name: `Strict ${randomUUID()}`, passwordValidationRules: { minLength: 8, maxLength: 12, requireMixedCase: true, requireNonAlpha: true, requireNumber: true } };
      strictTenant = (await global.createTenant('', { tenant: strict as Tenant })).response.tenant!.id!;
    });
    after(async () => {
      await gatehouse.close();
    });

    /** Creates a user in the default tenant and keeps the response for the no-secrets check. */
    async function create(user: User, id?: string, on: FusionAuthClient = client) {
      const { response } = await on.createUser(id ?? '', { user });
      responses.push(JSON.stringify(response));
      return response.user!;
    }

    const stored = (id: string) => gatehouse.store.repositories.users.find(id);

    it('creates users and retrieves them by id, email, username and login id, in any case', async () => {
      const id = randomUUID();
      const email = `Ada.${randomUUID()}@Example.com`;
      const username = `ada-${randomUUID()}`;
      const created = await create({ email, username, password, firstName: 'Ada', lastName: 'Lovelace', birthDate: '1815-12-10', preferredLanguages: ['en'], timezone: 'Europe/London', data: { favourite: 'engines' }, unknownField: 1 } as User, id);
      assert.equal(created.id, id);
      assert.equal(created.tenantId, gatehouse.setup.defaultTenantId);
      assert.equal(created.email, email);
      assert.equal(created.firstName, 'Ada');
      assert.equal(created.birthDate, '1815-12-10');
      assert.deepEqual(created.data, { favourite: 'engines' });
      assert.deepEqual(created.registrations, []);
      assert.equal(created.active, true);
      assert.equal(typeof created.passwordLastUpdateInstant, 'number');
      assert.equal(typeof created.insertInstant, 'number');
      for (const hidden of ['password', 'salt', 'encryptionScheme', 'factor', 'unknownField']) assert.equal((created as Record<string, unknown>)[hidden], undefined, hidden);

      assert.deepEqual((await client.retrieveUser(id)).response.user, created);
      assert.equal((await client.retrieveUserByEmail(email.toUpperCase())).response.user?.id, id);
      assert.equal((await client.retrieveUserByUsername(username.toUpperCase())).response.user?.id, id);
      assert.equal((await client.retrieveUserByLoginId(email.toLowerCase())).response.user?.id, id);
      assert.equal((await client.retrieveUserByLoginId(username)).response.user?.id, id);
      assert.equal((await global.retrieveUserByEmail(email)).response.user?.id, id, 'a global key finds a user that exists in one tenant only');

      const generated = await create({ username: `only-username-${randomUUID()}`, password });
      assert.match(generated.id!, /^[0-9a-f-]{36}$/);
      assert.equal(generated.email, undefined);

      await expectStatus(client.retrieveUser(randomUUID()), 404);
      await expectStatus(client.retrieveUserByEmail(`missing-${randomUUID()}@example.com`), 404);
      await expectStatus(client.retrieveUserByUsername('nobody-at-all'), 404);
    });

    it('stores an argon2id hash of the password, never the password', async () => {
      const user = await create({ email: `hash-${randomUUID()}@example.com`, password });
      const row = await stored(user.id!);
      assert.equal(row?.password?.scheme, 'argon2id');
      assert.match(row!.password!.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.deepEqual(await verifyPassword(row!.password!, password), { ok: true, needsRehash: false });
      const { rows } = await gatehouse.store.db.selectFrom('users').selectAll().where('id', '=', user.id!).execute().then((found) => ({ rows: found }));
      assert.doesNotMatch(JSON.stringify(rows), /correct horse/);
    });

    it('keeps emails and usernames unique per tenant, in any case; the same email may live in another tenant', async () => {
      const email = `unique-${randomUUID()}@example.com`;
      const username = `unique-${randomUUID()}`;
      const original = await create({ email, username, password });
      const emailClash = await expectStatus(client.createUser('', { user: { email: email.toUpperCase(), password } }), 400);
      assert.deepEqual(errorCodes(emailClash), ['[duplicate]user.email']);
      const both = await expectStatus(client.createUser('', { user: { email: email.toUpperCase(), username: username.toUpperCase(), password } }), 400);
      assert.deepEqual(errorCodes(both).sort(), ['[duplicate]user.email', '[duplicate]user.username']);
      await expectStatus(client.createUser(original.id!, { user: { email: `other-${randomUUID()}@example.com`, password } }), 400);

      const inOther = (await clientFor(gatehouse.apiKey, otherTenant).createUser('', { user: { email: email.toUpperCase(), username, password } })).response.user!;
      assert.equal(inOther.tenantId, otherTenant);
      const ambiguous = await expectStatus(global.retrieveUserByEmail(email), 400);
      assert.deepEqual(errorCodes(ambiguous), ['[TenantIdRequired]']);
      assert.equal((await clientFor(gatehouse.apiKey, otherTenant).retrieveUserByEmail(email)).response.user?.id, inOther.id);
      assert.equal((await client.retrieveUserByUsername(username)).response.user?.id, original.id);

      const renamed = `renamed-${randomUUID()}`;
      await client.patchUser(original.id!, { user: { username: renamed } });
      const patchClash = await expectStatus(clientFor(gatehouse.apiKey, otherTenant).patchUser(inOther.id!, { user: { username: renamed } }).then(() => client.createUser('', { user: { username: renamed.toUpperCase(), password } })), 400);
      assert.deepEqual(errorCodes(patchClash), ['[duplicate]user.username']);
    });

    it('PUT replaces the profile and keeps the password unless a new one is sent; PATCH merges', async () => {
      const user = await create({ email: `update-${randomUUID()}@example.com`, password, firstName: 'Grace', lastName: 'Hopper', mobilePhone: '+1 555 0100', data: { a: 1, b: 2 } });
      const before = await stored(user.id!);

      const replaced = (await client.updateUser(user.id!, { user: { email: user.email!, firstName: 'Amazing Grace', password: '' } })).response.user!;
      responses.push(JSON.stringify(replaced));
      assert.equal(replaced.firstName, 'Amazing Grace');
      assert.equal(replaced.lastName, undefined, 'PUT clears what it does not send');
      assert.deepEqual(replaced.data, {});
      assert.equal(replaced.insertInstant, user.insertInstant);
      const afterPut = await stored(user.id!);
      assert.deepEqual(afterPut?.password, before?.password, 'a blank password keeps the old one');
      assert.equal(afterPut?.passwordLastUpdateInstant, before?.passwordLastUpdateInstant);

      const patched = (await client.patchUser(user.id!, { user: { lastName: 'Hopper', data: { c: 3 }, mobilePhone: null } as unknown as User })).response.user!;
      assert.equal(patched.firstName, 'Amazing Grace', 'PATCH keeps what it does not name');
      assert.equal(patched.lastName, 'Hopper');
      assert.equal(patched.mobilePhone, undefined, 'null removes a field (RFC 7396)');
      assert.deepEqual(patched.data, { c: 3 });
      assert.deepEqual((await stored(user.id!))?.password, before?.password);

      const newPassword = 'a brand new secret';
      await client.patchUser(user.id!, { user: { password: newPassword } });
      const afterChange = await stored(user.id!);
      assert.notEqual(afterChange?.password?.hash, before?.password?.hash);
      assert.equal((await verifyPassword(afterChange!.password!, newPassword)).ok, true);
      assert.equal((await verifyPassword(afterChange!.password!, password)).ok, false);
      assert.ok(afterChange!.passwordLastUpdateInstant! >= before!.passwordLastUpdateInstant!);

      await expectStatus(client.updateUser(randomUUID(), { user: { email: 'nobody@example.com' } }), 404);
      await expectStatus(client.patchUser(randomUUID(), { user: { firstName: 'x' } }), 404);
    });

    it('deactivates on DELETE, reactivates with PUT ?reactivate=true, and hard deletes on request', async () => {
      const user = await create({ email: `delete-${randomUUID()}@example.com`, password });
      assert.equal((await client.deactivateUser(user.id!)).statusCode, 200);
      assert.equal((await client.retrieveUser(user.id!)).response.user?.active, false, 'a soft-deleted user remains');
      const reactivated = await client.reactivateUser(user.id!);
      assert.equal(reactivated.response.user?.active, true);
      assert.equal((await client.deleteUser(user.id!)).statusCode, 200);
      await expectStatus(client.retrieveUser(user.id!), 404);
      assert.equal(await stored(user.id!), undefined);
      await expectStatus(client.deleteUser(user.id!), 404);
      await expectStatus(client.deactivateUser(user.id!), 404);
      await expectStatus(client.reactivateUser(user.id!), 404);

      const other = await create({ email: `delete-body-${randomUUID()}@example.com`, password });
      assert.equal((await client.deleteUserWithRequest(other.id!, { hardDelete: true })).statusCode, 200);
      assert.equal(await stored(other.id!), undefined);
    });

    it('searches by query string and ids, with paging and a total', async () => {
      const marker = randomUUID().slice(0, 8);
      const made: User[] = [];
      for (let n = 0; n < 5; n += 1) made.push(await create({ email: `search-${n}-${marker}@example.com`, password, firstName: n === 2 ? `Zelda${marker}` : 'Link' }));
      const first = (await client.searchUsersByQuery({ search: { queryString: marker, numberOfResults: 2, startRow: 0 } })).response;
      responses.push(JSON.stringify(first));
      assert.equal(first.total, 5);
      assert.deepEqual(first.users?.map((user) => user.id), [made[0]!.id, made[1]!.id]);
      const last = (await client.searchUsersByQuery({ search: { queryString: marker, numberOfResults: 2, startRow: 4 } })).response;
      assert.deepEqual(last.users?.map((user) => user.id), [made[4]!.id]);
      assert.equal(last.total, 5);
      assert.deepEqual((await client.searchUsersByQuery({ search: { queryString: `zelda${marker.toUpperCase()}` } })).response.users?.map((user) => user.id), [made[2]!.id]);
      assert.equal((await client.searchUsersByQuery({ search: { queryString: `search-*-${marker}@*` } })).response.total, 5);
      assert.ok((await client.searchUsersByQuery({ search: { queryString: '*' } })).response.total! >= 5);
      const byIds = (await client.searchUsersByIds([made[3]!.id!, made[1]!.id!, randomUUID()])).response;
      assert.deepEqual(byIds.users?.map((user) => user.id).sort(), [made[1]!.id, made[3]!.id].sort());
      assert.equal(byIds.total, 2);
      assert.deepEqual((await client.searchUsersByIds([made[0]!.id!])).response.users?.map((user) => user.id), [made[0]!.id], 'a single id is a list of one');
      assert.equal((await clientFor(gatehouse.apiKey, otherTenant).searchUsersByQuery({ search: { queryString: marker } })).response.total, 0);

      const cases: Array<[() => Promise<unknown>, string]> = [
        [() => client.searchUsersByQuery({ search: {} }), '[blank]search.queryString'],
        [() => client.searchUsersByQuery({ search: { query: '{"match_all":{}}' } }), '[invalid]search.query'],
        [() => client.searchUsersByQuery({ search: { queryString: '*', numberOfResults: 10_001 } }), '[tooLarge]search.numberOfResults'],
        [() => client.searchUsersByQuery({ search: { queryString: '*', startRow: -1 } }), '[tooSmall]search.startRow'],
        [() => client.searchUsersByIds(['not-a-uuid']), '[invalid]search.ids.0'],
        [() => client.searchUsersByQuery({}), '[blank]search'],
        [() => client.searchUsersByQuery({ search: { queryString: 'nul\u0000' } }), '[invalid]search.queryString'],
        [() => client.searchUsersByQuery({ search: { queryString: '*', startRow: 1e300 } }), '[tooLarge]search.startRow'],
        [() => client.retrieveUserByEmail('nul\u0000@example.com'), '[invalid]email'],
      ];
      for (const [call, code] of cases) assert.deepEqual(errorCodes(await expectStatus(call(), 400)), [code], code);
    });

    it('answers every bad user with the exact FusionAuth code and stores nothing', async () => {
      const marker = `bad-${randomUUID().slice(0, 8)}`;
      const email = `${marker}@example.com`;
      const strict = clientFor(gatehouse.apiKey, strictTenant);
      const taken = await create({ email: `${marker}-taken@example.com`, username: `${marker}-taken`, password });
      const cases: Array<[FusionAuthClient, unknown, string[]]> = [
        [client, {}, ['[blank]user.email', '[blank]user.username', '[blank]user.password']],
        [client, { email: '  ', username: '', password }, ['[blank]user.email', '[blank]user.username']],
        [client, { email: `not-an-email-${marker}`, password }, ['[notEmail]user.email']],
        [client, { email }, ['[blank]user.password']],
        [client, { email, password: 'short' }, ['[tooShort]user.password']],
        [client, { email, password: 'x'.repeat(257) }, ['[tooLong]user.password']],
        [client, { email, password: 'x'.repeat(1025) }, ['[tooLong]user.password']],
        [strict, { email, password: 'alllower1!' }, ['[singleCase]user.password']],
        [strict, { email, password: 'OnlyLetters' }, ['[onlyAlpha]user.password', '[requireNumber]user.password']],
        [strict, { email, password: 'NoDigits!!' }, ['[requireNumber]user.password']],
        [strict, { email, password: 'Far2Long!Password' }, ['[tooLong]user.password']],
        [client, { email: 7, password }, ['[invalid]user.email']],
        [client, { email: `${'x'.repeat(180)}@example.com`, password }, ['[tooLong]user.email']],
        [client, { email, password, birthDate: '2020-13-45' }, ['[invalid]user.birthDate']],
        [client, { email, password, birthDate: '10/12/1815' }, ['[invalid]user.birthDate']],
        [client, { email, password, timezone: 'Mars/Olympus_Mons' }, ['[invalid]user.timezone']],
        [client, { email, password, passwordChangeReason: 'Whim' }, ['[invalid]user.passwordChangeReason']],
        [client, { email, password, preferredLanguages: 'en' }, ['[invalid]user.preferredLanguages']],
        [client, { email, password, data: 'not an object' }, ['[invalid]user.data']],
        [client, { email, password, expiry: -1 }, ['[tooSmall]user.expiry']],
        [client, { email, password, expiry: 1e300 }, ['[tooLarge]user.expiry']],
        [client, { email: `nul\u0000${email}`, password }, ['[invalid]user.email']],
        [client, { email, password, data: { ['key\u0000']: 1 } }, ['[invalid]user.data']],
        [client, { email, password, firstName: 'lone \ud800 surrogate' }, ['[invalid]user.firstName']],
        [client, { email, password, data: { nested: ['\udc00'] } }, ['[invalid]user.data.nested.0']],
        [client, { email: taken.email!.toUpperCase(), password }, ['[duplicate]user.email']],
        [client, { email, username: taken.username!.toUpperCase(), password }, ['[duplicate]user.username']],
        [global, { email, password }, ['[TenantIdRequired]']],
        [global, { email, password, tenantId: randomUUID() }, ['[invalid]user.tenantId']],
      ];
      for (const [on, user, codes] of cases) {
        const body = await expectStatus(on.createUser('', { user: user as User }), 400);
        assert.deepEqual(errorCodes(body).sort(), [...codes].sort(), `${JSON.stringify(user).slice(0, 80)} → ${JSON.stringify(errorCodes(body))}`);
      }
      assert.deepEqual(errorCodes(await expectStatus(client.createUser('', {} as never), 400)), ['[blank]user']);
      assert.deepEqual(errorCodes(await expectStatus(client.updateUser(taken.id!, {} as never), 400)), ['[blank]user']);
      const badPatch = await expectStatus(client.patchUser(taken.id!, { user: { email: 'nope', password: 'short' } }), 400);
      assert.deepEqual(errorCodes(badPatch).sort(), ['[notEmail]user.email', '[tooShort]user.password']);
      const badPut = await expectStatus(client.updateUser(taken.id!, { user: { firstName: 'No login id' } }), 400);
      assert.deepEqual(errorCodes(badPut).sort(), ['[blank]user.email', '[blank]user.username']);
      await expectStatus(client.retrieveUser('not-a-uuid'), 400);

      const found = await gatehouse.store.repositories.users.search({ tenantId: undefined, queryString: marker, startRow: 0, numberOfResults: 10 });
      assert.deepEqual(found.users.map((user) => user.id), [taken.id], 'nothing but the first user was stored');
      assert.deepEqual((await client.retrieveUser(taken.id!)).response.user, taken, 'failed updates changed nothing');
    });

    it('creates a user without a password when a set-password email is requested, and honours skipVerification', async () => {
      const { response } = await client.createUser('', { user: { email: `invite-${randomUUID()}@example.com` }, sendSetPasswordEmail: true, skipVerification: true });
      assert.equal(response.user?.verified, true);
      assert.equal(response.user?.passwordLastUpdateInstant, undefined);
      assert.equal((await stored(response.user!.id!))?.password, undefined);
    });

    it('keeps a tenant-scoped key inside its tenant', async () => {
      const outsider = await create({ email: `outsider-${randomUUID()}@example.com`, password });
      const scopedKey = (await global.createAPIKey('', { apiKey: { tenantId: otherTenant } })).response.apiKey!.key!;
      const scoped = clientFor(scopedKey);
      await expectStatus(scoped.retrieveUser(outsider.id!), 404);
      await expectStatus(scoped.retrieveUserByEmail(outsider.email!), 404);
      await expectStatus(scoped.updateUser(outsider.id!, { user: { email: outsider.email! } }), 404);
      await expectStatus(scoped.patchUser(outsider.id!, { user: { firstName: 'x' } }), 404);
      await expectStatus(scoped.deactivateUser(outsider.id!), 404);
      await expectStatus(scoped.deleteUser(outsider.id!), 404);
      await expectStatus(scoped.reactivateUser(outsider.id!), 404);
      assert.equal((await scoped.searchUsersByIds([outsider.id!])).response.total, 0);
      const own = (await scoped.createUser('', { user: { email: outsider.email!, password } })).response.user!;
      assert.equal(own.tenantId, otherTenant);
      assert.equal((await scoped.retrieveUserByEmail(outsider.email!)).response.user?.id, own.id);
      await expectStatus(clientFor(scopedKey, gatehouse.setup.defaultTenantId).retrieveUser(own.id!), 401);
      assert.equal((await client.retrieveUser(outsider.id!)).response.user?.active, true, 'the outsider was never touched');
    });

    it('never shows or logs a password or a password hash', async () => {
      const secret = `Sw0rdfish-${randomUUID()}`;
      const user = await create({ email: `secret-${randomUUID()}@example.com`, password: secret });
      await client.updateUser(user.id!, { user: { email: user.email!, password: `${secret}-2` } });
      await expectStatus(client.createUser('', { user: { email: 'bad', password: secret } }), 400);
      responses.push(JSON.stringify((await client.retrieveUser(user.id!)).response));
      const hash = (await stored(user.id!))!.password!.hash;
      const everything = responses.join('\n');
      const logs = gatehouse.logs.text();
      assert.ok(logs.length > 0);
      for (const text of [everything, logs]) {
        assert.doesNotMatch(text, /Sw0rdfish|correct horse|\$argon2id\$/);
        assert.ok(!text.includes(hash.slice(-20)));
      }
    });
  });
}
