import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, ImportRequest, User } from '@fusionauth/typescript-client';
import { verifyPassword } from '../../src/identity/passwords/verify-password.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

/**
 * One user per imported scheme, each with its password and the hash made from it by another
 * implementation (vectors as in src/identity/passwords/verify-password.test.ts).
 */
const hashed: Array<{ scheme: string; hash: string; salt?: string; factor?: number; password: string; needsRehash: boolean }> = [
  { scheme: 'salted-md5', hash: 'Zkr8ZUspgRxZndD+xZd8/g==', salt: 'c2FsdHlzYWx0', factor: 20_000, password: 'correct horse', needsRehash: true },
  { scheme: 'salted-sha256', hash: '40nQanbb9m70TL7uEq1mirT9oiv3kildM8mPmohmyRc=', salt: 'c2FsdHlzYWx0', factor: 20_000, password: 'correct horse', needsRehash: true },
  { scheme: 'salted-pbkdf2-hmac-sha256', hash: '8qaGZ/GUsHzUqzEtf5VaKEiq7xfbr8HtpzQpXCNvuTE=', salt: 'c2FsdHlzYWx0', password: 'correct horse', needsRehash: true },
  { scheme: 'salted-hmac-sha256', hash: '1UvPxJ5eq/vG49b/BnjI8C2k/DCuacCxV5qvJm4ydpE=', salt: 'c2FsdHlzYWx0', password: 'correct horse', needsRehash: true },
  { scheme: 'bcrypt', hash: 'E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', salt: 'CCCCCCCCCCCCCCCCCCCCC.', factor: 5, password: 'U*U', needsRehash: true },
  { scheme: 'argon2id', hash: '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc', password: 'password', needsRehash: false },
];

for (const backend of backends) {
  describe(`/api/user/import on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    let global: FusionAuthClient;
    let client: FusionAuthClient;
    let otherTenant: string;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client: global, clientFor } = await serveWithClient(gatehouse));
      client = clientFor(gatehouse.apiKey, gatehouse.setup.defaultTenantId);
      otherTenant = (await global.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!.id!;
    });
    after(async () => {
      await gatehouse.close();
    });

    const stored = (id: string) => gatehouse.store.repositories.users.find(id);
    const count = async (marker: string) =>
      (await gatehouse.store.repositories.users.search({ tenantId: undefined, queryString: marker, startRow: 0, numberOfResults: 0 })).total;

    it('imports hashes of every scheme as given, and each still matches its original password', async () => {
      const marker = randomUUID().slice(0, 8);
      const users = hashed.map(({ scheme, hash, salt, factor }) => ({
        id: randomUUID(), email: `${scheme}-${marker}@example.com`, encryptionScheme: scheme, password: hash, active: true,
        ...(salt === undefined ? {} : { salt }), ...(factor === undefined ? {} : { factor }),
      }));
      const plaintext = { id: randomUUID(), username: `plain-${marker}`, password: 'plain text secret', firstName: 'Plain', insertInstant: 1_600_000_000_000, data: { legacyId: 7 } };
      const response = await client.importUsers({ users: [...users, plaintext] as User[], validateDbConstraints: true });
      assert.equal(response.statusCode, 200);

      for (const [index, vector] of hashed.entries()) {
        const user = await stored(users[index]!.id);
        assert.equal(user?.password?.scheme, vector.scheme);
        assert.equal(user?.password?.hash, vector.hash, `${vector.scheme}: stored as given`);
        assert.equal(user?.password?.salt, vector.salt);
        assert.equal(user?.active, true);
        assert.deepEqual(await verifyPassword(user!.password!, vector.password), { ok: true, needsRehash: vector.needsRehash }, vector.scheme);
        assert.equal((await verifyPassword(user!.password!, `${vector.password}!`)).ok, false);
      }
      assert.equal((await stored(users[2]!.id))?.password?.factor, 24_000, 'the scheme default factor');

      const plain = await stored(plaintext.id);
      assert.equal(plain?.password?.scheme, 'argon2id', 'plaintext passwords are hashed on import');
      assert.deepEqual(await verifyPassword(plain!.password!, 'plain text secret'), { ok: true, needsRehash: false });
      const retrieved = (await client.retrieveUserByUsername(plaintext.username)).response.user!;
      assert.equal(retrieved.insertInstant, 1_600_000_000_000);
      assert.equal(retrieved.active, false, "FusionAuth's import default");
      assert.deepEqual(retrieved.data, { legacyId: 7 });
      assert.equal(retrieved.firstName, 'Plain');
    });

    it('refuses the whole request on any duplicate and stores nothing', async () => {
      const marker = randomUUID().slice(0, 8);
      const existing = (await client.createUser('', { user: { email: `Taken-${marker}@example.com`, username: `taken-${marker}`, password: 'long enough' } })).response.user!;
      const fresh = () => ({ email: `fresh-${randomUUID()}-${marker}@example.com`, password: 'secret' });
      const cases: Array<[ImportRequest, string[]]> = [
        [{ users: [fresh(), { email: `TAKEN-${marker}@EXAMPLE.COM`, password: 'x' }], validateDbConstraints: true }, ['[duplicate]user.email']],
        [{ users: [fresh(), { username: `TAKEN-${marker}`, password: 'x' }], validateDbConstraints: true }, ['[duplicate]user.username']],
        [{ users: [fresh(), { id: existing.id!, email: `new-${marker}@example.com` }], validateDbConstraints: true }, ['[duplicate]user.id']],
        [{ users: [fresh(), { email: `taken-${marker}@example.com`, password: 'x' }] }, ['[ImportRequestFailed]']],
        [{ users: [{ email: `twice-${marker}@example.com` }, { email: `TWICE-${marker}@example.com` }] }, ['[invalid]user.email']],
        [{ users: [{ username: `twice-${marker}` }, { username: `Twice-${marker}` }, fresh()] }, ['[invalid]user.username']],
      ];
      for (const [request, codes] of cases) {
        const body = await expectStatus(client.importUsers(request), 400);
        assert.deepEqual(errorCodes(body), codes, JSON.stringify(request).slice(0, 120));
      }
      assert.equal(await count(marker), 1, 'only the user created before');

      const sameEmailElsewhere = await clientFor(gatehouse.apiKey, otherTenant).importUsers({ users: [{ email: `taken-${marker}@example.com`, password: 'x' }], validateDbConstraints: true });
      assert.equal(sameEmailElsewhere.statusCode, 200, 'uniqueness is per tenant');
    });

    it('answers every bad entry with its FusionAuth code, saying which user, and stores nothing', async () => {
      const marker = randomUUID().slice(0, 8);
      const email = () => `bad-${randomUUID()}-${marker}@example.com`;
      const cases: Array<[FusionAuthClient, unknown, string[]]> = [
        [client, { users: [] }, ['[missing]users']],
        [client, {}, ['[missing]users']],
        [client, { users: [{ email: email() }], encryptionScheme: 'rot13' }, ['[invalid]encryptionScheme']],
        [client, { users: [{ email: email() }, { firstName: 'No login id' }] }, ['[blank]user.email', '[blank]user.username']],
        [client, { users: [{ email: `not-an-email-${marker}` }] }, ['[notEmail]user.email']],
        [client, { users: [{ email: email(), encryptionScheme: 'rot13', password: 'x', salt: '' }] }, ['[invalid]user.encryptionScheme']],
        [client, { users: [{ email: email(), encryptionScheme: 'salted-md5', password: 'X03MO1qnZdYdgyfeuILPmQ==' }] }, ['[blank]user.salt']],
        [client, { users: [{ email: email(), encryptionScheme: 'salted-md5', password: '5f4dcc3b5aa765d61d8327deb882cf99', salt: '' }] }, ['[invalid]user.password']],
        [client, { users: [{ email: email(), encryptionScheme: 'bcrypt', password: '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', salt: '' }] }, ['[invalid]user.password']],
        [client, { users: [{ email: email(), encryptionScheme: 'salted-pbkdf2-hmac-sha256', password: '8qaGZ/GUsHzUqzEtf5VaKEiq7xfbr8HtpzQpXCNvuTE=', salt: '', factor: 50_000_000 }] }, ['[tooLarge]user.factor']],
        [client, { users: [{ email: email(), encryptionScheme: 'argon2id', password: 'plaintext' }] }, ['[invalid]user.password']],
        [client, { users: [{ email: email(), id: 'not-a-uuid' }] }, ['[invalid]user.id']],
        [client, { users: [{ email: email(), active: 'yes' }] }, ['[invalid]user.active']],
        [client, { users: [7] }, ['[invalid]user']],
        [global, { users: [{ email: email() }] }, ['[TenantIdRequired]']],
        [global, { users: [{ email: email(), tenantId: randomUUID() }] }, ['[invalid]user.tenantId']],
        [client, { users: [{ email: email(), insertInstant: 1e300 }] }, ['[tooLarge]user.insertInstant']],
        [client, { users: [{ email: email(), factor: 1e12 }] }, ['[tooLarge]user.factor']],
        [client, { users: [{ email: email(), data: { note: 'nul\u0000' } }] }, ['[invalid]users.0.data.note']],
      ];
      for (const [on, request, codes] of cases) {
        const body = await expectStatus(on.importUsers(request as ImportRequest), 400);
        assert.deepEqual(errorCodes(body).sort(), [...codes].sort(), `${JSON.stringify(request).slice(0, 120)} → ${JSON.stringify(errorCodes(body))}`);
      }
      const which = await expectStatus(client.importUsers({ users: [{ email: email() }, { email: email() }, { email: 'nope' }] }), 400);
      assert.match(which?.fieldErrors?.['user.email']?.[0]?.message ?? '', /^users\[2\]: /);
      assert.equal(await count(marker), 0);
    });

    it('imports into the tenant each user names when the request names none', async () => {
      const marker = randomUUID().slice(0, 8);
      const users = [
        { id: randomUUID(), email: `a-${marker}@example.com`, tenantId: otherTenant },
        { id: randomUUID(), email: `b-${marker}@example.com`, tenantId: gatehouse.setup.defaultTenantId },
      ];
      assert.equal((await global.importUsers({ users })).statusCode, 200);
      assert.equal((await stored(users[0]!.id))?.tenantId, otherTenant);
      assert.equal((await stored(users[1]!.id))?.tenantId, gatehouse.setup.defaultTenantId);
      assert.equal((await stored(users[0]!.id))?.password, undefined, 'a user may be imported without a password');
      const scoped = { id: randomUUID(), email: `c-${marker}@example.com`, tenantId: otherTenant };
      await client.importUsers({ users: [scoped] });
      assert.equal((await stored(scoped.id))?.tenantId, gatehouse.setup.defaultTenantId, 'a named tenant wins over user.tenantId');
    });

    it('never shows or logs imported passwords or hashes', async () => {
      const secret = `Imp0rted-${randomUUID()}`;
      await client.importUsers({ users: [{ email: `log-${randomUUID()}@example.com`, password: secret }, { email: `log-${randomUUID()}@example.com`, encryptionScheme: 'salted-sha256', password: '40nQanbb9m70TL7uEq1mirT9oiv3kildM8mPmohmyRc=', salt: 'c2FsdHlzYWx0', factor: 20_000 }] });
      await expectStatus(client.importUsers({ users: [{ email: 'bad', password: secret }] }), 400);
      const logs = gatehouse.logs.text();
      assert.ok(!logs.includes(secret));
      assert.ok(!logs.includes('40nQanbb9m70TL7uEq1mirT9oiv3kildM8mPmohmyRc'));
      const { users } = (await client.searchUsersByQuery({ search: { queryString: 'log-*' } })).response;
      assert.equal(users?.length, 2);
      assert.doesNotMatch(JSON.stringify(users), /Imp0rted|40nQanbb|c2FsdHlzYWx0|salted-sha256/);
    });
  });
}
