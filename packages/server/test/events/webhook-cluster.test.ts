import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/open-postgres.ts';
import type { Store } from '../../src/store/store.ts';
import { startGatehouseCluster, type GatehouseCluster } from '../helpers/gatehouse-cluster.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

/** Polls `read` every 20 ms until `done` accepts its value, at most `ms`. */
async function waitUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (let value = await read(); ; value = await read()) {
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}: ${JSON.stringify(value)}`);
    await sleep(20);
  }
}

/**
 * Webhook delivery across two real `gatehouse` processes on one PostgreSQL database: every event reaches
 * the receiver exactly once whichever node committed it (claims are FOR UPDATE SKIP LOCKED with a lease),
 * and an event committed by a node that is then killed (-9) before delivering it is delivered by the other.
 */
describe('webhooks: two Gatehouse processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let store: Store;
  let receiver: WebhookReceiver;
  let cluster: GatehouseCluster;
  let webhookId: string;

  before(async () => {
    database = await createTestDatabase();
    receiver = await startWebhookReceiver();
    // The webhook exists before any node starts, so no node's webhook cache can predate it (until the
    // Webhooks API exists and clears the cache of the node it is called on).
    store = openPostgres(database.url, 2);
    await migrateToLatest(store.db);
    webhookId = randomUUID();
    await store.repositories.webhooks.insert({
      id: webhookId,
      url: receiver.url,
      settings: { eventsEnabled: { 'user.create': true }, global: true, tenantIds: [], headers: {}, connectTimeout: 1000, readTimeout: 5000, signatureConfiguration: { enabled: false }, data: {} },
      httpAuthenticationPasswordSealed: undefined,
      insertInstant: Date.now(),
      lastUpdateInstant: Date.now(),
    });
    cluster = await startGatehouseCluster({ databaseUrl: database.url, nodes: 2 });
  });
  after(async () => {
    await cluster?.close();
    await receiver?.close();
    await store?.close();
    await database?.drop();
  });

  const createUser = async (node: number) => (await cluster.api('POST', '/api/user', { user: { email: `cluster-hook-${randomUUID()}@example.com`, password: 'correct horse battery staple' } }, node))['user'] as { id: string };
  const eventIds = async (userIds: readonly string[]) => {
    const rows = await store.db.selectFrom('events').select(['id', 'payload']).where('type', '=', 'user.create').execute();
    const byUser = new Map(rows.map((row) => [(row.payload as { user: { id: string } }).user.id, row.id]));
    return userIds.map((userId) => {
      const eventId = byUser.get(userId);
      assert.ok(eventId, `a user.create event for ${userId}`);
      return eventId;
    });
  };
  const delivery = async (eventId: string) =>
    (await store.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', eventId).where('webhook_id', '=', webhookId).executeTakeFirst())!;

  it('50 users created on both nodes: the receiver gets each event exactly once, never two deliveries of one event at once', async () => {
    // Each request is held briefly: a second claim of a delivery in flight would show as a second request.
    receiver.delayEach(40);
    const userIds: string[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async (_, worker) => {
        for (let index = 0; index < 10; index += 1) userIds.push((await createUser((worker + index) % 2)).id);
      }),
    );
    const expected = new Set(await eventIds(userIds));
    assert.equal(expected.size, 50);
    await receiver.waitFor((requests) => new Set(requests.filter((request) => request.status === 200).map((request) => request.eventId)).size === 50, 30_000, 'all 50 events');
    const rows = await waitUntil('every delivery row is settled', () => store.db.selectFrom('webhook_deliveries').selectAll().execute(), (values) => values.length === 50 && values.every((row) => row.status === 'delivered'));

    const perEvent = new Map<string, number>();
    for (const request of receiver.requests) perEvent.set(request.eventId!, (perEvent.get(request.eventId!) ?? 0) + 1);
    assert.deepEqual(new Set(perEvent.keys()), expected);
    assert.deepEqual([...perEvent.entries()].filter(([, count]) => count !== 1), [], 'no event delivered twice');
    assert.equal(receiver.requests.length, 50);
    assert.deepEqual(rows.filter((row) => Number(row.attempts) !== 1), [], 'every delivery claimed once');
    assert.ok(receiver.inFlight.most >= 1);
    receiver.delayEach(0);
  });

  it('a node killed (-9) after committing a user create, before delivering it: the other node delivers it, once', async () => {
    const [victim] = cluster.nodes;
    const requestsBefore = receiver.requests.length;
    await receiver.down();
    const user = await createUser(0);
    const [eventId] = await eventIds([user.id]);
    // The create committed and was attempted (refused: the receiver is down), and no node holds its lease.
    await waitUntil('a failed attempt released the delivery', () => delivery(eventId!), (row) => Number(row.attempts) >= 1 && row.lease_instant === null && row.status === 'pending');
    victim!.process.kill('SIGKILL');
    await once(victim!.process, 'exit');
    assert.equal(victim!.process.signalCode, 'SIGKILL');
    assert.equal(receiver.requests.length, requestsBefore, 'nothing reached the receiver while it was down');

    await receiver.up();
    await receiver.waitFor((requests) => requests.some((request) => request.eventId === eventId && request.status === 200), 60_000, 'the delivery by the surviving node');
    const row = await waitUntil('the delivery row is settled', () => delivery(eventId!), (value) => value.status === 'delivered');
    assert.equal(receiver.forEvent(eventId!).length, 1, 'delivered exactly once');
    assert.equal(row.last_status, 200);
    assert.ok(Number(row.attempts) >= 2);
    // The survivor still serves and delivers its own events.
    const [next] = await eventIds([(await createUser(1)).id]);
    await receiver.waitFor((requests) => requests.some((request) => request.eventId === next && request.status === 200), 30_000, 'a later event');
  });
});
