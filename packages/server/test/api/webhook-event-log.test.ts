import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { EventType, FusionAuthClient, WebhookEventLog, WebhookEventResult } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

type Entry = WebhookEventLog & Record<string, any>;

for (const backend of backends) {
  describe(`/api/system/webhook-event-log on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;
    let first: string;
    let second: string;
    // Events of this suite: delivered to both, dead-lettered at one, still being retried, older and newer.
    const succeeded = randomUUID();
    const failed = randomUUID();
    const running = randomUUID();
    const base = 1_700_000_000_000;
    before(async () => {
      gatehouse = await createTestApp(backend, { webhookDispatch: false });
      ({ client, baseUrl } = await serveWithClient(gatehouse));
      first = (await client.createWebhook('', { webhook: { url: 'https://one.example/hook', global: true } })).response.webhook!.id!;
      second = (await client.createWebhook('', { webhook: { url: 'https://two.example/hook', global: true } })).response.webhook!.id!;
      const outbox = gatehouse.store.repositories.eventOutbox;
      const insert = (id: string, type: string, instant: number, marker: string) =>
        outbox.insert({ id, type, tenantId: undefined, payload: { id, type, createInstant: instant, user: { email: `${marker}@example.com` } }, createInstant: instant }, [first, second], instant);
      await insert(succeeded, 'user.create', base, 'alpha');
      await insert(failed, 'user.delete', base + 1000, 'beta_100%');
      await insert(running, 'user.create', base + 2000, 'gamma');
      const settle = (eventId: string, webhookId: string, status: 'delivered' | 'failed' | 'pending', instant: number, httpStatus?: number, error?: string) =>
        outbox.settle({ eventId, webhookId, status, httpStatus, error, instant, ...(status === 'pending' ? { nextAttemptInstant: instant + 4000 } : {}) });
      await settle(succeeded, first, 'delivered', base + 10, 200);
      await settle(succeeded, second, 'delivered', base + 20, 204);
      await settle(failed, first, 'delivered', base + 1010, 200);
      await settle(failed, second, 'failed', base + 1020, 500, 'the receiver answered 500');
      await settle(running, first, 'pending', base + 2010, undefined, 'the receiver did not answer in time');
      // Attempts as the dispatcher counts them (claimDue adds one per claim).
      await gatehouse.store.db.updateTable('webhook_deliveries').set({ attempts: 8 }).where('event_id', '=', failed).where('webhook_id', '=', second).execute();
      await gatehouse.store.db.updateTable('webhook_deliveries').set({ attempts: 1 }).where('status', '<>', 'pending').execute();
      await gatehouse.store.db.updateTable('webhook_deliveries').set({ attempts: 8 }).where('status', '=', 'failed').execute();
      await gatehouse.store.db.updateTable('webhook_deliveries').set({ attempts: 2 }).where('event_id', '=', running).where('webhook_id', '=', first).execute();
    });
    after(async () => {
      await gatehouse.close();
    });

    const search = async (criteria: Record<string, unknown>) => (await client.searchWebhookEventLogs({ search: criteria as never })).response;
    const ids = (entries: WebhookEventLog[] | undefined) => (entries ?? []).map((entry) => entry.id);

    it('shows an event with the state of each delivery', async () => {
      const entry = (await client.retrieveWebhookEventLog(failed)).response.webhookEventLog as Entry;
      const attempts = [
        { webhookId: first, status: 'delivered', attempts: 1, lastStatus: 200, deliveredInstant: base + 1010 },
        { webhookId: second, status: 'failed', attempts: 8, lastStatus: 500, lastError: 'the receiver answered 500' },
      ].sort((x, y) => (x.webhookId < y.webhookId ? -1 : 1)); // ordered by webhook id
      assert.deepEqual(entry, {
        id: failed,
        eventType: 'user.delete',
        event: { id: failed, type: 'user.delete', createInstant: base + 1000, user: { email: 'beta_100%@example.com' } },
        eventResult: 'Failed',
        attempts,
        failedAttempts: 8,
        successfulAttempts: 1,
        insertInstant: base + 1000,
        lastAttemptInstant: base + 1010,
      });
      const pending = (await client.retrieveWebhookEventLog(running)).response.webhookEventLog as Entry;
      assert.equal(pending.eventResult, 'Running');
      const retrying = (pending['attempts'] as Array<Record<string, unknown>>).find((attempt) => attempt['webhookId'] === first);
      assert.deepEqual(retrying, { webhookId: first, status: 'pending', attempts: 2, lastError: 'the receiver did not answer in time', nextAttemptInstant: base + 6010 });
      assert.equal(pending.lastAttemptInstant, undefined, 'never delivered: no instant is known');
      assert.equal(((await client.retrieveWebhookEventLog(succeeded)).response.webhookEventLog as Entry).eventResult, 'Succeeded');
      await expectStatus(client.retrieveWebhookEventLog(randomUUID()), 404);
    });

    it('searches by result, type, text and time, newest first, in pages', async () => {
      const all = await search({});
      assert.deepEqual([ids(all.webhookEventLogs), all.total], [[running, failed, succeeded], 3]);
      for (const [result, expected] of [['Failed', [failed]], ['Running', [running]], ['Succeeded', [succeeded]]] as const) {
        assert.deepEqual(ids((await search({ eventResult: result as WebhookEventResult })).webhookEventLogs), expected, result);
      }
      assert.deepEqual(ids((await search({ eventType: 'user.create' as EventType })).webhookEventLogs), [running, succeeded]);
      assert.deepEqual(ids((await search({ event: 'BETA_100%' })).webhookEventLogs), [failed], 'any case; % is literal');
      assert.deepEqual(ids((await search({ event: 'gam*@example' })).webhookEventLogs), [running], '* is a wildcard');
      assert.deepEqual(ids((await search({ event: 'gamm_' })).webhookEventLogs), [], '_ is literal');
      assert.deepEqual(ids((await search({ start: base + 1000, end: base + 2000 })).webhookEventLogs), [running, failed]);
      const page = await search({ startRow: 1, numberOfResults: 1 });
      assert.deepEqual([ids(page.webhookEventLogs), page.total], [[failed], 3]);

      // The same as GET query parameters.
      const response = await fetch(`${baseUrl}/api/system/webhook-event-log/search?eventResult=Failed&start=${base}&end=${base + 5000}&startRow=0&numberOfResults=10`, {
        headers: { authorization: gatehouse.apiKey },
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { webhookEventLogs: WebhookEventLog[]; total: number };
      assert.deepEqual([ids(body.webhookEventLogs), body.total], [[failed], 1]);
    });

    it('refuses bad criteria with exact codes', async () => {
      const cases: Array<[Record<string, unknown>, string[]]> = [
        [{ eventResult: 'Lost' }, ['[invalid]search.eventResult']],
        [{ eventType: 'user.teleport' }, ['[invalid]search.eventType']],
        [{ start: 10, end: 5 }, ['[invalid]search.end']],
        [{ start: -1 }, ['[tooSmall]search.start']],
        [{ end: 'yesterday' }, ['[invalid]search.end']],
        [{ numberOfResults: 0, startRow: -1 }, ['[tooSmall]search.numberOfResults', '[tooSmall]search.startRow']],
        [{ numberOfResults: 501 }, ['[tooLarge]search.numberOfResults']],
      ];
      for (const [criteria, codes] of cases) {
        const error = await expectStatus(client.searchWebhookEventLogs({ search: criteria as never }), 400);
        assert.deepEqual(errorCodes(error).sort(), [...codes].sort(), JSON.stringify(criteria));
      }
      const invalidId = await fetch(`${baseUrl}/api/system/webhook-event-log/not-a-uuid`, { headers: { authorization: gatehouse.apiKey } });
      assert.equal(invalidId.status, 400);
    });

    it('forgets the deliveries of a deleted webhook', async () => {
      await client.deleteWebhook(second);
      const entry = (await client.retrieveWebhookEventLog(failed)).response.webhookEventLog as Entry;
      assert.deepEqual((entry['attempts'] as Array<Record<string, unknown>>).map((attempt) => attempt['webhookId']), [first]);
      assert.equal(entry.eventResult, 'Succeeded');
    });
  });
}
