import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { EventLog, FusionAuthClient } from '@fusionauth/typescript-client';
import { createWebhookDispatcher } from '../../src/events/webhook-dispatcher.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** A 127.0.0.1 port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

for (const backend of backends) {
  describe(`event log on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;

    before(async () => {
      gatehouse = await createTestApp(backend, { webhookDispatch: false });
      ({ client, baseUrl } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    const search = async (criteria: Record<string, unknown>) => (await client.searchEventLogs({ search: criteria })).response;

    it('a dead-lettered webhook delivery leaves an Error entry, retrievable and searchable', async () => {
      const webhookId = randomUUID();
      const eventId = randomUUID();
      const now = Date.now();
      const settings = { eventsEnabled: { 'user.create': true }, global: true, tenantIds: [], headers: {}, connectTimeout: 500, readTimeout: 500, signatureConfiguration: { enabled: false }, data: {} };
      await gatehouse.store.repositories.webhooks.insert({ id: webhookId, url: `http://127.0.0.1:${await closedPort()}/hook`, settings, httpAuthenticationPasswordSealed: undefined, insertInstant: now, lastUpdateInstant: now });
      await gatehouse.store.repositories.eventOutbox.insert({ id: eventId, type: 'user.create', tenantId: undefined, payload: { type: 'user.create' }, createInstant: now }, [webhookId], now);
      const dispatcher = createWebhookDispatcher({ store: gatehouse.store, keyRing: gatehouse.keyRing, signingKeys: gatehouse.signingKeys, logger: gatehouse.logs.logger, now: Date.now, maxAttempts: 1 });
      assert.deepEqual(await dispatcher.runOnce(), { delivered: 0, retried: 0, failed: 1 });

      const found = await search({ message: eventId });
      assert.equal(found.total, 1);
      const entry = found.eventLogs![0]!;
      assert.equal(entry.type, 'Error');
      assert.equal(typeof entry.id, 'number');
      assert.ok(entry.insertInstant! >= now);
      assert.ok(entry.message!.includes(webhookId), entry.message);
      assert.deepEqual((await client.retrieveEventLog(entry.id!)).response.eventLog, entry);
      assert.equal((await search({ message: eventId, type: 'Information' })).total, 0);
      assert.equal((await search({ message: eventId, type: 'Error', start: now, end: Date.now() })).total, 1);
      assert.equal((await search({ message: eventId, end: now - 1 })).total, 0);
    });

    it('a signing-key rotation leaves an Information entry; GET search, paging and order', async () => {
      const start = Date.now();
      const first = await gatehouse.signingKeys.rotate('ES256');
      const second = await gatehouse.signingKeys.rotate('ES256');
      const rotations = await search({ message: 'rotated the es256 signing key', start });
      assert.equal(rotations.total, 2);
      assert.deepEqual(rotations.eventLogs!.map((entry) => entry.type), ['Information', 'Information']);
      assert.ok(rotations.eventLogs![0]!.message!.includes(second.id), 'newest first');
      assert.ok(rotations.eventLogs![1]!.message!.includes(first.id));
      const page = await search({ message: 'signing key', start, startRow: 1, numberOfResults: 1, orderBy: 'insertInstant ASC, id ASC' });
      assert.equal(page.total, 2);
      assert.ok(page.eventLogs![0]!.message!.includes(second.id));

      const query = new URLSearchParams({ message: 'ES256 SIGNING', type: 'Information', start: String(start), numberOfResults: '1' });
      const viaGet = await fetch(`${baseUrl}/api/system/event-log/search?${query}`, { headers: { authorization: gatehouse.apiKey } });
      assert.equal(viaGet.status, 200);
      const body = (await viaGet.json()) as { eventLogs: EventLog[]; total: number };
      assert.equal(body.total, 2);
      assert.equal(body.eventLogs.length, 1);
    });

    it('validation, unknown ids and scoped keys', async () => {
      assert.deepEqual(errorCodes(await expectStatus(client.searchEventLogs({ search: { type: 'Loud' as never } }), 400)).length, 1);
      assert.deepEqual(errorCodes(await expectStatus(client.searchEventLogs({ search: { orderBy: 'nothing' } }), 400)), ['[invalid]search.orderBy']);
      await expectStatus(client.retrieveEventLog(987_654_321), 404);
      assert.equal((await fetch(`${baseUrl}/api/system/event-log/0`, { headers: { authorization: gatehouse.apiKey } })).status, 404);
      assert.equal((await fetch(`${baseUrl}/api/system/event-log/search`)).status, 401);
      const scoped = (await client.createAPIKey('', { apiKey: { tenantId: gatehouse.setup.defaultTenantId } })).response.apiKey!;
      assert.equal((await fetch(`${baseUrl}/api/system/event-log/search`, { headers: { authorization: scoped.key! } })).status, 401);
    });
  });
}
