import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { AuditLog, FusionAuthClient } from '@fusionauth/typescript-client';
import { sql } from 'kysely';
import { hashApiKey } from '../../src/tenancy/api-key-secret.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const password = `pw-${randomUUID()}`;

for (const backend of backends) {
  describe(`audit log on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;
    let keyId: string;

    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, baseUrl } = await serveWithClient(gatehouse));
      keyId = (await gatehouse.store.repositories.apiKeys.findByHash(hashApiKey(gatehouse.apiKey)))!.id;
    });
    after(async () => {
      await gatehouse.close();
    });

    /** The entries naming `id` in their message, newest first, once there are `count` of them (written after the response). */
    async function entriesFor(id: string, count: number): Promise<AuditLog[]> {
      for (let attempt = 0; attempt < 200; attempt++) {
        const found = (await client.searchAuditLogs({ search: { message: `[${id}]`, numberOfResults: 100 } })).response;
        if ((found.auditLogs ?? []).length >= count) return found.auditLogs!;
        await sleep(25);
      }
      assert.fail(`fewer than ${count} audit entries for ${id}`);
    }

    /** Every stored row as text, as an operator with database access would read it. */
    async function rawRows(): Promise<string> {
      const { rows } = await sql<{ row: string }>`select a::text as row from audit_logs a`.execute(gatehouse.store.db);
      return rows.map((row) => row.row).join('\n');
    }

    it('records a user created, updated, patched and deleted: actor, resource, old and new values, never the password', async () => {
      const email = `audit-${randomUUID()}@example.com`;
      const user = (await client.createUser('', { user: { email, password, firstName: 'Ada' } })).response.user!;
      await client.updateUser(user.id!, { user: { email, firstName: 'Grace' } });
      await client.patchUser(user.id!, { user: { lastName: 'Hopper' } });
      await client.deleteUser(user.id!);
      const [deleted, patched, updated, created] = await entriesFor(user.id!, 4);
      for (const entry of [created, patched, updated, deleted]) {
        assert.equal(entry!.insertUser, `apiKey:${keyId}`);
        assert.equal(typeof entry!.id, 'number');
        assert.equal(entry!.data!['resourceType'], 'user');
        assert.equal(entry!.data!['resourceId'], user.id);
      }
      assert.equal(created!.message, `Created the user with id [${user.id}]`);
      assert.deepEqual({ method: created!.data!['method'], path: created!.data!['path'] }, { method: 'POST', path: '/api/user' });
      assert.equal(created!.oldValue, undefined);
      assert.equal(created!.newValue.user.firstName, 'Ada');
      assert.equal(updated!.message, `Updated the user with id [${user.id}]`);
      assert.equal(updated!.data!['method'], 'PUT');
      assert.equal(updated!.oldValue.user.firstName, 'Ada');
      assert.equal(updated!.newValue.user.firstName, 'Grace');
      assert.equal(patched!.data!['method'], 'PATCH');
      assert.equal(patched!.oldValue.user.lastName, undefined);
      assert.equal(patched!.newValue.user.lastName, 'Hopper');
      assert.equal(deleted!.message, `Deleted the user with id [${user.id}]`);
      assert.equal(deleted!.data!['path'], `/api/user/${user.id}`, 'the query string is not kept');
      assert.equal(deleted!.oldValue.user.lastName, 'Hopper');
      assert.equal(deleted!.newValue, undefined);

      const retrieved = (await client.retrieveAuditLog(created!.id!)).response.auditLog!;
      assert.deepEqual(retrieved, created);
      assert.equal(JSON.stringify(await entriesFor(user.id!, 4)).includes(password), false);
      assert.equal((await rawRows()).includes(password), false);
    });

    it('records application changes with the client secret redacted everywhere', async () => {
      const application = (await client.createApplication('', { application: { name: 'Audited', oauthConfiguration: { authorizedRedirectURLs: ['https://app.example.com/cb'] } } })).response.application!;
      const secret = application.oauthConfiguration!.clientSecret!;
      assert.ok(secret.length > 10);
      await client.updateApplication(application.id!, { application: { name: 'Audited again' } });
      await client.deleteApplication(application.id!);
      const [deleted, updated, created] = await entriesFor(application.id!, 3);
      assert.equal(created!.data!['resourceType'], 'application');
      assert.equal(created!.newValue.application.oauthConfiguration.clientSecret, '[redacted]');
      assert.equal(updated!.oldValue.application.name, 'Audited');
      assert.equal(updated!.newValue.application.name, 'Audited again');
      assert.equal(deleted!.message, `Deleted the application with id [${application.id}]`);
      const searched = JSON.stringify((await client.searchAuditLogs({ search: { numberOfResults: 1000 } })).response);
      assert.equal(searched.includes(secret), false);
      assert.equal(JSON.stringify((await client.retrieveAuditLog(created!.id!)).response).includes(secret), false);
      assert.equal((await rawRows()).includes(secret), false);
    });

    it('does not audit the Login API, logout, or searches; their tokens never reach the log', async () => {
      const email = `login-${randomUUID()}@example.com`;
      await client.createUser('', { user: { email, password } });
      const login = await client.login({ loginId: email, password });
      assert.ok(login.response.token);
      await client.logout(true, login.response.refreshToken ?? '');
      await client.searchUsersByQuery({ search: { queryString: email } });
      // A later change, once recorded, shows the earlier requests had their turn.
      const sentinel = (await client.createUser('', { user: { email: `sentinel-${randomUUID()}@example.com`, password } })).response.user!;
      await entriesFor(sentinel.id!, 1);
      const all = (await client.searchAuditLogs({ search: { numberOfResults: 1000 } })).response.auditLogs!;
      const paths = all.map((entry) => entry.data!['path']);
      for (const path of ['/api/login', '/api/logout', '/api/user/search']) assert.equal(paths.includes(path), false, `${path} audited`);
      const raw = await rawRows();
      assert.equal(raw.includes(login.response.token!), false);
      assert.equal(raw.includes(password), false);
    });

    it('manual entries: created, retrieved, redacted, and searched by user, message, time and page', async () => {
      const marker = randomUUID();
      const start = Date.now();
      const ids: number[] = [];
      for (const index of [1, 2, 3]) {
        const response = await client.createAuditLog({ auditLog: { insertUser: `Ops-${marker}@example.com`, message: `Manual change ${index} ${marker}`, reason: 'maintenance', data: { ticket: index, password: 'do-not-keep' }, oldValue: { a: index }, newValue: { a: index + 1, token: 'do-not-keep' } } });
        assert.equal(response.statusCode, 200);
        const entry = response.response.auditLog!;
        assert.equal(entry.insertUser, `Ops-${marker}@example.com`);
        assert.equal(entry.reason, 'maintenance');
        assert.deepEqual(entry.data, { ticket: index, password: '[redacted]' });
        assert.deepEqual(entry.oldValue, { a: index });
        assert.deepEqual(entry.newValue, { a: index + 1, token: '[redacted]' });
        assert.ok(entry.insertInstant! >= start);
        ids.push(entry.id!);
      }
      assert.deepEqual((await client.retrieveAuditLog(ids[1]!)).response.auditLog!.message, `Manual change 2 ${marker}`);
      assert.equal((await rawRows()).includes('do-not-keep'), false);

      const search = async (criteria: Record<string, unknown>) => (await client.searchAuditLogs({ search: criteria })).response;
      const byUser = await search({ user: `ops-${marker}` });
      assert.equal(byUser.total, 3);
      assert.deepEqual(byUser.auditLogs!.map((entry) => entry.id), [...ids].reverse(), 'newest first');
      assert.equal((await search({ message: `CHANGE 2 ${marker}` })).total, 1);
      assert.equal((await search({ message: `manual*${marker}` })).total, 3);
      const page = await search({ user: marker, startRow: 1, numberOfResults: 1, orderBy: 'insertInstant ASC, id ASC' });
      assert.equal(page.total, 3);
      assert.deepEqual(page.auditLogs!.map((entry) => entry.id), [ids[1]]);
      assert.equal((await search({ user: marker, start: Date.now() + 60_000 })).total, 0);
      assert.equal((await search({ user: marker, end: start - 1 })).total, 0);
      assert.equal((await search({ user: marker, start, end: Date.now() })).total, 3);

      const query = new URLSearchParams({ user: marker, message: 'change 3', start: String(start), numberOfResults: '5' });
      const viaGet = await fetch(`${baseUrl}/api/system/audit-log/search?${query}`, { headers: { authorization: gatehouse.apiKey } });
      assert.equal(viaGet.status, 200);
      const body = (await viaGet.json()) as { auditLogs: AuditLog[]; total: number };
      assert.equal(body.total, 1);
      assert.equal(body.auditLogs[0]!.id, ids[2]);
    });

    it('validation, unknown ids and scoped keys', async () => {
      assert.deepEqual(errorCodes(await expectStatus(client.createAuditLog({ auditLog: { data: {} } }), 400)).sort(), ['[blank]auditLog.insertUser', '[blank]auditLog.message']);
      assert.deepEqual(errorCodes(await expectStatus(client.createAuditLog({ auditLog: { insertUser: 'x', message: 'y', data: [] as never } }), 400)), ['[invalid]auditLog.data']);
      assert.deepEqual(errorCodes(await expectStatus(client.searchAuditLogs({ search: { orderBy: 'password DESC' } }), 400)), ['[invalid]search.orderBy']);
      const invalidPage = errorCodes(await expectStatus(client.searchAuditLogs({ search: { numberOfResults: -1 } }), 400));
      assert.equal(invalidPage.length, 1);
      assert.match(invalidPage[0]!, /search\.numberOfResults$/);
      await expectStatus(client.retrieveAuditLog(987_654_321), 404);
      const notNumeric = await fetch(`${baseUrl}/api/system/audit-log/abc`, { headers: { authorization: gatehouse.apiKey } });
      assert.equal(notNumeric.status, 404);
      const unauthenticated = await fetch(`${baseUrl}/api/system/audit-log/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(unauthenticated.status, 401);
      const scoped = (await client.createAPIKey('', { apiKey: { tenantId: gatehouse.setup.defaultTenantId } })).response.apiKey!;
      assert.equal((await fetch(`${baseUrl}/api/system/audit-log/search`, { headers: { authorization: scoped.key! } })).status, 401);
      // The API key's own creation is audited without its key.
      const [keyEntry] = await entriesFor(scoped.id!, 1);
      assert.equal(keyEntry!.data!['resourceType'], 'api-key');
      assert.equal(keyEntry!.newValue.apiKey.key, '[redacted]');
      assert.equal((await rawRows()).includes(scoped.key!), false);
    });
  });
}
