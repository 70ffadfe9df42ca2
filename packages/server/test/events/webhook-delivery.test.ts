import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { FusionAuthClient } from '@fusionauth/typescript-client';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/events/webhook-dispatcher.ts';
import type { WebhookSettings } from '../../src/store/repositories/webhook-repository.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { backends } from '../helpers/test-stores.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const maxAttempts = 5;
const password = 'correct horse battery staple';

/** Polls `read` until `done` accepts its value; bounded, so a delivery that never settles fails the test. */
async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

for (const backend of backends) {
  describe(`webhook delivery on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;
    let dispatcher: WebhookDispatcher;
    let tenantId: string;
    const receivers: WebhookReceiver[] = [];
    const webhookIds: string[] = [];

    before(async () => {
      // The app's own dispatcher is off: this one retries after 50 ms instead of 2 s, and polls every 50 ms.
      gatehouse = await createTestApp(backend, { webhookDispatch: false });
      ({ client, baseUrl } = await serveWithClient(gatehouse));
      tenantId = gatehouse.setup.defaultTenantId;
      dispatcher = createWebhookDispatcher({ store: gatehouse.store, keyRing: gatehouse.keyRing, signingKeys: gatehouse.signingKeys, logger: gatehouse.logs.logger, now: Date.now, maxAttempts, retryBaseMs: 50, pollMs: 50 });
      dispatcher.start(gatehouse.events);
    });
    after(async () => {
      await dispatcher.stop();
      await gatehouse.close();
    });
    // Each test has its own receiver and webhooks; removing them keeps one test's deliveries out of the next.
    afterEach(async () => {
      for (const id of webhookIds.splice(0)) await gatehouse.store.repositories.webhooks.delete(id);
      gatehouse.webhookDirectory.clear();
      for (const receiver of receivers.splice(0)) await receiver.close();
    });

    const receiver = async () => {
      const started = await startWebhookReceiver();
      receivers.push(started);
      return started;
    };

    /** Until the Webhooks API exists, webhooks are written to the store (and the node's cache cleared, as the API does). */
    const addWebhook = async (url: string, settings: Partial<WebhookSettings> = {}) => {
      const id = randomUUID();
      const now = Date.now();
      const defaults: WebhookSettings = { eventsEnabled: { 'user.create': true }, global: true, tenantIds: [], headers: {}, connectTimeout: 1000, readTimeout: 2000, signatureConfiguration: { enabled: false }, data: {} };
      await gatehouse.store.repositories.webhooks.insert({ id, url, settings: { ...defaults, ...settings }, httpAuthenticationPasswordSealed: undefined, insertInstant: now, lastUpdateInstant: now });
      gatehouse.webhookDirectory.clear();
      webhookIds.push(id);
      return id;
    };

    const createUser = async (tenant = tenantId) => {
      const { response } = await client.createUser('', { user: { email: `hook-${randomUUID()}@example.com`, password, firstName: 'Ada', tenantId: tenant } });
      return response.user!;
    };

    const deliveries = (eventId: string) =>
      gatehouse.store.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', eventId).execute();
    const delivery = async (eventId: string, webhookId: string) =>
      (await gatehouse.store.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', eventId).where('webhook_id', '=', webhookId).executeTakeFirst())!;
    const eventIdOf = async (userId: string) => {
      const rows = await gatehouse.store.db.selectFrom('events').select(['id', 'payload']).where('type', '=', 'user.create').execute();
      const row = rows.find((candidate) => (candidate.payload as { user?: { id?: string } }).user?.id === userId);
      assert.ok(row, `a user.create event for ${userId} in the outbox`);
      return row.id;
    };

    it('a user created through the API reaches a webhook subscribed to user.create: one POST of {"event"} with its id, JSON, no password', async () => {
      const hooks = await receiver();
      const webhookId = await addWebhook(hooks.url, { headers: { 'x-receiver-token': 'static-header' } });
      const user = await createUser();
      const eventId = await eventIdOf(user.id!);
      await hooks.waitFor((requests) => requests.some((request) => request.status === 200), 10_000, 'the user.create delivery');
      await waitUntil(() => delivery(eventId, webhookId), (row) => row.status === 'delivered', 'the delivery row');

      assert.equal(hooks.requests.length, 1);
      const [request] = hooks.requests;
      assert.equal(request!.method, 'POST');
      assert.equal(request!.path, '/hook');
      assert.equal(request!.headers['content-type'], 'application/json');
      assert.equal(request!.headers['x-gatehouse-event-id'], eventId);
      assert.equal(request!.headers['x-receiver-token'], 'static-header');
      assert.equal(request!.headers['x-fusionauth-signature-jwt'], undefined, 'unsigned unless signatureConfiguration.enabled');
      assert.deepEqual(Object.keys(request!.body), ['event']);
      const event = request!.body.event;
      assert.equal(event.type, 'user.create');
      assert.equal(event.id, eventId);
      assert.equal(event.tenantId, tenantId);
      assert.equal(typeof event.createInstant, 'number');
      assert.equal(event.user.id, user.id);
      assert.equal(event.user.email, user.email);
      assert.equal(event.user.firstName, 'Ada');
      const raw = request!.rawBody.toString('utf8');
      for (const forbidden of ['"password"', password, '"salt"', '"hash"', 'encryptionScheme', 'sealed']) assert.equal(raw.includes(forbidden), false, `${forbidden} in ${raw}`);

      const row = await delivery(eventId, webhookId);
      assert.equal(Number(row.attempts), 1);
      assert.equal(row.last_status, 200);
      assert.equal(row.lease_instant, null);
    });

    it('signed with an ES256 and an HS256 Key Master key: X-FusionAuth-Signature-JWT verifies and binds the exact body', async () => {
      const hooks = await receiver();
      const ecKey = (await client.generateKey('', { key: { algorithm: 'ES256' as any, name: `webhook-es256-${randomUUID()}` } })).response.key!;
      const hmacSecret = `webhook-hmac-secret-${randomUUID()}`;
      // The Key API never returns an HMAC secret, so the test imports one it knows.
      const hmacKey = (await client.importKey('', { key: { algorithm: 'HS256' as any, name: `webhook-hs256-${randomUUID()}`, secret: hmacSecret } })).response.key!;
      await addWebhook(`${hooks.url}?signed=es256`, { signatureConfiguration: { enabled: true, signingKeyId: ecKey.id! } });
      await addWebhook(`${hooks.url}?signed=hs256`, { signatureConfiguration: { enabled: true, signingKeyId: hmacKey.id! } });
      const user = await createUser();
      const eventId = await eventIdOf(user.id!);
      await hooks.waitFor((requests) => requests.filter((request) => request.status === 200).length === 2, 10_000, 'both signed deliveries');
      await waitUntil(() => deliveries(eventId), (rows) => rows.length === 2 && rows.every((row) => row.status === 'delivered'), 'both delivery rows');

      const jwks = (await (await fetch(`${baseUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
      assert.ok(jwks.keys.some((jwk) => jwk.kid === ecKey.kid), 'the ES256 key is published');
      const bodyHash = (raw: Buffer) => createHash('sha256').update(raw).digest('base64');

      const ecRequest = hooks.requests.find((request) => request.path.endsWith('es256'))!;
      const ecJwt = ecRequest.headers['x-fusionauth-signature-jwt'] as string;
      assert.equal(decodeProtectedHeader(ecJwt).kid, ecKey.kid);
      const ec = await jwtVerify(ecJwt, createLocalJWKSet(jwks), { algorithms: ['ES256'] });
      assert.equal(ec.payload['request_body_sha256'], bodyHash(ecRequest.rawBody));
      assert.equal(ecRequest.eventId, eventId);

      const hmacRequest = hooks.requests.find((request) => request.path.endsWith('hs256'))!;
      const hmacJwt = hmacRequest.headers['x-fusionauth-signature-jwt'] as string;
      const hmac = await jwtVerify(hmacJwt, new TextEncoder().encode(hmacSecret), { algorithms: ['HS256'] });
      assert.equal(hmac.payload['request_body_sha256'], bodyHash(hmacRequest.rawBody));
      assert.equal(JSON.stringify(hmacRequest.body), JSON.stringify(ecRequest.body), 'one event, one payload');

      // The hash binds the body: a receiver checking it rejects a changed body with the same header.
      const tampered = Buffer.from(hmacRequest.rawBody.toString('utf8').replace('"Ada"', '"Eve"'));
      assert.notEqual(hmac.payload['request_body_sha256'], bodyHash(tampered));
      // And the signature binds the key: the ES256 token does not verify with the HMAC secret or vice versa.
      await assert.rejects(jwtVerify(ecJwt, new TextEncoder().encode(hmacSecret)));
      await assert.rejects(jwtVerify(hmacJwt, createLocalJWKSet(jwks)));
    });

    it('a receiver failing 3 times then recovering gets the event exactly once more: 4 requests, one event id, delivered after 4 attempts', async () => {
      const hooks = await receiver();
      hooks.failNext(3);
      const webhookId = await addWebhook(hooks.url);
      const user = await createUser();
      const eventId = await eventIdOf(user.id!);
      await hooks.waitFor((requests) => requests.some((request) => request.status === 200), 10_000, 'the recovered delivery');
      const row = await waitUntil(() => delivery(eventId, webhookId), (value) => value.status === 'delivered', 'the delivery row');

      assert.deepEqual(hooks.requests.map((request) => request.status), [500, 500, 500, 200]);
      assert.deepEqual(new Set(hooks.requests.map((request) => request.eventId)), new Set([eventId]));
      assert.equal(new Set(hooks.requests.map((request) => request.rawBody.toString('utf8'))).size, 1, 'every retry carries the same body');
      assert.equal(Number(row.attempts), 4);
      assert.equal(row.last_status, 200);
      assert.equal(row.last_error, null);
      assert.equal(typeof Number(row.delivered_instant), 'number');

      // Delivered is final: later runs claim nothing, and a later event is the only next request.
      assert.deepEqual(await dispatcher.runOnce(), { delivered: 0, retried: 0, failed: 0 });
      const next = await createUser();
      const nextEventId = await eventIdOf(next.id!);
      await hooks.waitFor((requests) => requests.some((request) => request.eventId === nextEventId && request.status === 200), 10_000, 'the next event');
      assert.equal(hooks.forEvent(eventId).length, 4);
    });

    it('a receiver down for good: after maxAttempts the delivery is dead-lettered (failed), the event log says so, and nothing retries it', async () => {
      const hooks = await receiver();
      await hooks.down();
      const webhookId = await addWebhook(hooks.url);
      const user = await createUser();
      const eventId = await eventIdOf(user.id!);
      const row = await waitUntil(() => delivery(eventId, webhookId), (value) => value.status === 'failed', 'the dead-lettered delivery');
      assert.equal(Number(row.attempts), maxAttempts);
      assert.equal(row.last_status, null);
      assert.match(row.last_error!, /^the request failed \(/);
      assert.equal(row.delivered_instant, null);
      assert.equal(row.lease_instant, null);

      const logs = await gatehouse.store.db.selectFrom('event_logs').selectAll().execute();
      const entry = logs.find((log) => log.message.includes(eventId));
      assert.ok(entry, 'an event log entry names the event');
      assert.equal(entry.type, 'Error');
      assert.ok(entry.message.includes(webhookId) && entry.message.includes(`after ${maxAttempts} attempts`) && entry.message.includes('user.create'), entry.message);
      assert.equal(entry.message.includes(password), false);

      // The receiver comes back: the dead letter stays dead; only new events reach it.
      await hooks.up();
      assert.deepEqual(await dispatcher.runOnce(), { delivered: 0, retried: 0, failed: 0 });
      const next = await createUser();
      const nextEventId = await eventIdOf(next.id!);
      await hooks.waitFor((requests) => requests.some((request) => request.eventId === nextEventId && request.status === 200), 10_000, 'the next event');
      assert.equal(hooks.forEvent(eventId).length, 0);
      assert.equal((await delivery(eventId, webhookId)).status, 'failed');
      assert.equal(Number((await delivery(eventId, webhookId)).attempts), maxAttempts);
    });

    it('tenants and types: a webhook naming tenant A misses tenant B, one not subscribed to the type gets nothing, a rolled-back change stages nothing', async () => {
      const hooks = await receiver();
      const otherTenant = (await client.createTenant('', { tenant: { name: `webhook-tenant-${randomUUID()}` } })).response.tenant!;
      const tenantHook = await addWebhook(`${hooks.url}?tenant=a`, { global: false, tenantIds: [tenantId] });
      await addWebhook(`${hooks.url}?type=delete`, { eventsEnabled: { 'user.delete': true, 'user.create': false } });
      const sentinelHook = await addWebhook(`${hooks.url}?global`);

      const inB = await createUser(otherTenant.id!);
      const inA = await createUser();
      const eventB = await eventIdOf(inB.id!);
      const eventA = await eventIdOf(inA.id!);
      await hooks.waitFor((requests) => requests.filter((request) => request.status === 200).length === 3, 10_000, 'the global and tenant-A deliveries');
      // Nothing was written for the webhooks that do not want the event: not merely not yet sent.
      assert.deepEqual((await deliveries(eventB)).map((row) => row.webhook_id), [sentinelHook]);
      assert.deepEqual((await deliveries(eventA)).map((row) => row.webhook_id).sort(), [tenantHook, sentinelHook].sort());
      await waitUntil(() => deliveries(eventA), (rows) => rows.every((row) => row.status === 'delivered'), 'the tenant-A deliveries');
      assert.deepEqual(hooks.requests.filter((request) => request.path.endsWith('tenant=a')).map((request) => request.eventId), [eventA]);
      assert.deepEqual(hooks.requests.filter((request) => request.path.endsWith('type=delete')), []);
      assert.deepEqual(hooks.requests.filter((request) => request.path.endsWith('global')).map((request) => request.eventId).sort(), [eventA, eventB].sort());

      // user.delete does reach the webhook subscribed to it (so its silence above was the type filter).
      await client.deleteUser(inA.id!);
      await hooks.waitFor((requests) => requests.some((request) => request.path.endsWith('type=delete') && request.status === 200), 10_000, 'the user.delete delivery');
      assert.equal(hooks.requests.find((request) => request.path.endsWith('type=delete'))!.body.event.type, 'user.delete');

      // A create that fails validation commits nothing, so it stages no event.
      const eventsBefore = await gatehouse.store.db.selectFrom('events').select('id').execute();
      const failure = await expectStatus(client.createUser('', { user: { email: inB.email!, password, tenantId: otherTenant.id! } }), 400);
      assert.ok(errorCodes(failure).includes('[duplicate]user.email'), JSON.stringify(failure));
      assert.deepEqual(await gatehouse.store.db.selectFrom('events').select('id').execute(), eventsBefore);
      // An event staged inside a transaction that then rolls back is gone with it.
      const rolledBack = gatehouse.store.transaction(async (repositories) => {
        const user = (await repositories.users.find(inB.id!))!;
        await gatehouse.events.stage(repositories, { type: 'user.create', tenantId: user.tenantId, user });
        throw new Error('the change fails after staging its event');
      });
      await assert.rejects(rolledBack, /fails after staging/);
      assert.deepEqual(await gatehouse.store.db.selectFrom('events').select('id').execute(), eventsBefore);
    });

    it('a hung receiver does not hold up the API call that emitted the event; the request times out per the webhook and is retried', async () => {
      const hooks = await receiver();
      hooks.hang();
      const webhookId = await addWebhook(hooks.url, { connectTimeout: 200, readTimeout: 300 });
      const first = await createUser();
      const firstEvent = await eventIdOf(first.id!);
      await hooks.waitFor((requests) => requests.some((request) => request.eventId === firstEvent), 10_000, 'the held delivery');
      // While the receiver holds that request unanswered, another create answers at once.
      const second = await createUser();
      assert.ok(second.id);
      assert.equal(hooks.forEvent(firstEvent)[0]!.status, undefined, 'the receiver still holds the first delivery');
      assert.equal(hooks.requests.filter((request) => request.status !== undefined).length, 0, 'the receiver has answered nothing');

      // The dispatcher gives up on the held request after the webhook's timeouts, records why, and tries again.
      await waitUntil(() => delivery(firstEvent, webhookId), (row) => row.last_error === 'the receiver did not answer in time', 'the timed-out attempt');
      await hooks.waitFor((requests) => requests.filter((request) => request.eventId === firstEvent).length >= 2, 10_000, 'the retry after the timeout');
      hooks.release();
      const secondEvent = await eventIdOf(second.id!);
      const rows = await waitUntil(() => Promise.all([delivery(firstEvent, webhookId), delivery(secondEvent, webhookId)]), (values) => values.every((row) => row.status === 'delivered'), 'both deliveries');
      assert.ok(Number(rows[0].attempts) >= 2);
      assert.equal(hooks.forEvent(firstEvent).filter((request) => request.status === 200).length, 1, 'answered once, on a retry');
      assert.equal(hooks.forEvent(firstEvent)[0]!.status, undefined, 'the first attempt was abandoned, never answered');
    });
  });
}
