import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, KeyAlgorithm, Webhook } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

type Body = Webhook & Record<string, any>;
type Events = NonNullable<Webhook['eventsEnabled']>;

const withoutInstants = (webhook: Body | undefined) => ({ ...webhook, insertInstant: 0, lastUpdateInstant: 0 });

for (const backend of backends) {
  describe(`/api/webhook on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    before(async () => {
      // Nothing is delivered: the URLs below are not receivers (the dispatcher has its own tests).
      gatehouse = await createTestApp(backend, { webhookDispatch: false });
      ({ client, clientFor } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    const stored = (id: string) => gatehouse.store.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    const count = async () => Number((await gatehouse.store.db.selectFrom('webhooks').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const create = async (webhook: Body, id = '') => (await client.createWebhook(id, { webhook })).response.webhook as Body;

    it('creates, retrieves, replaces, patches and deletes a webhook with its defaults, the password sealed at rest', async () => {
      const id = randomUUID();
      const tenantId = (await client.createTenant('', { tenant: { name: `Webhook tenant ${randomUUID()}` } })).response.tenant!.id!;
      const keyId = (await client.generateKey('', { key: { algorithm: 'ES256' as KeyAlgorithm, name: `Webhook key ${randomUUID()}` } })).response.key!.id!;
      const created = await client.createWebhook(id, {
        webhook: {
          url: ' https://receiver.example.com/hooks ',
          description: 'CRM',
          eventsEnabled: { 'user.create': true, 'user.delete': false } as Events,
          tenantIds: [tenantId.toUpperCase(), tenantId],
          headers: { 'X-Api-Version': '2' },
          httpAuthenticationUsername: 'gatehouse',
          httpAuthenticationPassword: 'basic-secret-1',
          signatureConfiguration: { enabled: true, signingKeyId: keyId },
        },
      });
      assert.equal(created.statusCode, 200);
      const webhook = created.response.webhook as Body;
      assert.deepEqual(withoutInstants(webhook), {
        id,
        url: 'https://receiver.example.com/hooks',
        description: 'CRM',
        eventsEnabled: { 'user.create': true, 'user.delete': false },
        global: false,
        tenantIds: [tenantId],
        headers: { 'X-Api-Version': '2' },
        connectTimeout: 1000,
        readTimeout: 2000,
        signatureConfiguration: { enabled: true, signingKeyId: keyId },
        httpAuthenticationUsername: 'gatehouse',
        httpAuthenticationPassword: 'basic-secret-1',
        data: {},
        insertInstant: 0,
        lastUpdateInstant: 0,
      });
      assert.equal(typeof webhook.insertInstant, 'number');
      assert.deepEqual((await client.retrieveWebhook(id)).response.webhook, webhook);
      assert.ok((await client.retrieveWebhooks()).response.webhooks!.some((listed) => listed.id === id));

      const row = (await stored(id))!;
      assert.ok(row.http_authentication_password_sealed !== null && !row.http_authentication_password_sealed.toString('latin1').includes('basic-secret-1'));
      assert.ok(!JSON.stringify(row.settings).includes('basic-secret-1'), 'the password is not in the settings JSON');

      const replaced = (await client.updateWebhook(id, { webhook: { url: 'http://receiver.example.com/v2', global: true, connectTimeout: 50, readTimeout: 60 } })).response.webhook as Body;
      assert.equal(replaced.global, true);
      assert.deepEqual(replaced.tenantIds, [], 'PUT replaces');
      assert.equal(replaced.httpAuthenticationPassword, undefined, 'PUT without the password removes it');
      assert.deepEqual(replaced.signatureConfiguration, { enabled: false });
      assert.equal(replaced.insertInstant, webhook.insertInstant);
      assert.equal((await stored(id))!.http_authentication_password_sealed, null);

      await client.patchWebhook(id, { webhook: { httpAuthenticationUsername: 'u', httpAuthenticationPassword: 'basic-secret-2' } });
      const patched = (await client.patchWebhook(id, { webhook: { description: 'patched', eventsEnabled: { 'user.login.success': true } as Events } })).response.webhook as Body;
      assert.equal(patched.httpAuthenticationPassword, 'basic-secret-2', 'a merge patch keeps the password');
      assert.equal(patched.description, 'patched');
      assert.equal(patched.readTimeout, 60);
      assert.deepEqual(patched.eventsEnabled, { 'user.login.success': true });

      assert.equal((await client.deleteWebhook(id)).statusCode, 200);
      await expectStatus(client.retrieveWebhook(id), 404);
      await expectStatus(client.deleteWebhook(id), 404);
      await expectStatus(client.updateWebhook(id, { webhook: { url: 'https://x.example' } }), 404);
      await expectStatus(client.patchWebhook(id, { webhook: { url: 'https://x.example' } }), 404);
    });

    it('refuses bad webhooks with exact codes and stores nothing', async () => {
      const existing = await create({ url: 'https://receiver.example.com/taken' });
      const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const verifyOnly = (await client.importKey('', { key: { name: `Public ${randomUUID()}`, publicKey } })).response.key!.id!;
      const cases: Array<[unknown, string[]]> = [
        [{}, ['[blank]webhook.url']],
        [{ url: '  ' }, ['[blank]webhook.url']],
        [{ url: '/relative' }, ['[invalid]webhook.url']],
        [{ url: 'ftp://files.example.com' }, ['[invalid]webhook.url']],
        [{ url: 'https://user:secret@receiver.example.com' }, ['[invalid]webhook.url']],
        [{ url: 'https://ok.example', eventsEnabled: { 'user.create': true, 'user.teleport': true, 'no.such': false } }, ['[invalid]webhook.eventsEnabled']],
        [{ url: 'https://ok.example', eventsEnabled: { 'user.create': 'yes' } }, ['[invalid]webhook.eventsEnabled.user.create']],
        [{ url: 'https://ok.example', tenantIds: [randomUUID()] }, ['[invalid]webhook.tenantIds']],
        [{ url: 'https://ok.example', tenantIds: ['not-a-uuid'] }, ['[invalid]webhook.tenantIds.0']],
        [{ url: 'https://ok.example', connectTimeout: 0, readTimeout: -1 }, ['[invalid]webhook.connectTimeout', '[invalid]webhook.readTimeout']],
        [{ url: 'https://ok.example', readTimeout: 1.5 }, ['[invalid]webhook.readTimeout']],
        [{ url: 'https://ok.example', headers: { 'X-Evil': 'a\r\nX-Injected: b' } }, ['[invalid]webhook.headers']],
        [{ url: 'https://ok.example', headers: { 'Bad Name': 'x' } }, ['[invalid]webhook.headers']],
        [{ url: 'https://ok.example', headers: { 'Content-Type': 'text/plain' } }, ['[invalid]webhook.headers']],
        [{ url: 'https://ok.example', headers: { 'X-Gatehouse-Event-Id': 'x' } }, ['[invalid]webhook.headers']],
        [{ url: 'https://ok.example', headers: { 'x-fusionauth-signature-jwt': 'x' } }, ['[invalid]webhook.headers']],
        [{ url: 'https://ok.example', headers: { 'X-A': '1', 'x-a': '2' } }, ['[invalid]webhook.headers']],
        [{ url: 'https://ok.example', headers: { Authorization: 'Bearer x' }, httpAuthenticationUsername: 'u' }, ['[invalid]webhook.headers']],
        [{ url: 'https://ok.example', httpAuthenticationUsername: 'a:b' }, ['[invalid]webhook.httpAuthenticationUsername']],
        [{ url: 'https://ok.example', sslCertificate: '-----BEGIN CERTIFICATE-----' }, ['[invalid]webhook.sslCertificate']],
        [{ url: 'https://ok.example', signatureConfiguration: { enabled: true } }, ['[missing]webhook.signatureConfiguration.signingKeyId']],
        [{ url: 'https://ok.example', signatureConfiguration: { enabled: true, signingKeyId: randomUUID() } }, ['[invalid]webhook.signatureConfiguration.signingKeyId']],
        [{ url: 'https://ok.example', signatureConfiguration: { enabled: true, signingKeyId: verifyOnly } }, ['[invalid]webhook.signatureConfiguration.signingKeyId']],
        [{ url: 'https://ok.example', global: 'yes', data: [] }, ['[invalid]webhook.global', '[invalid]webhook.data']],
      ];
      const before = await count();
      for (const [webhook, codes] of cases) {
        const error = await expectStatus(client.createWebhook('', { webhook: webhook as Body }), 400);
        assert.deepEqual(errorCodes(error).sort(), [...codes].sort(), JSON.stringify(webhook));
        const patchError = await expectStatus(client.updateWebhook(existing.id!, { webhook: webhook as Body }), 400);
        assert.deepEqual(errorCodes(patchError).sort(), [...codes].sort(), `PUT ${JSON.stringify(webhook)}`);
      }
      const duplicate = await expectStatus(client.createWebhook(existing.id!, { webhook: { url: 'https://ok.example' } }), 400);
      assert.deepEqual(errorCodes(duplicate), ['[duplicate]webhookId']);
      assert.equal(await count(), before);
      assert.deepEqual((await client.retrieveWebhook(existing.id!)).response.webhook, existing, 'refused updates change nothing');

      // A signing key that can sign, HMAC included, is accepted.
      const hmac = (await client.generateKey('', { key: { algorithm: 'HS256' as KeyAlgorithm, name: `HMAC ${randomUUID()}` } })).response.key!.id!;
      const signed = await create({ url: 'https://ok.example', signatureConfiguration: { enabled: true, signingKeyId: hmac.toUpperCase() } });
      assert.deepEqual(signed.signatureConfiguration, { enabled: true, signingKeyId: hmac });
    });

    it('keeps a signing key a webhook uses from being deleted', async () => {
      const keyId = (await client.generateKey('', { key: { algorithm: 'ES256' as KeyAlgorithm, name: `In use ${randomUUID()}` } })).response.key!.id!;
      const webhook = (await client.createWebhook('', { webhook: { url: 'https://ok.example/hook', signatureConfiguration: { enabled: true, signingKeyId: keyId } } as never })).response.webhook!;
      assert.deepEqual(errorCodes(await expectStatus(client.deleteKey(keyId), 400)), ['[KeyInUse]']);
      await client.deleteWebhook(webhook.id!);
      assert.equal((await client.deleteKey(keyId)).statusCode, 200);
    });

    it('searches by url, description and tenant', async () => {
      const tenantId = (await client.createTenant('', { tenant: { name: `Search tenant ${randomUUID()}` } })).response.tenant!.id!;
      const marker = randomUUID().slice(0, 8);
      const a = await create({ url: `https://a-${marker}.example/hook`, description: `Alpha ${marker}`, tenantIds: [tenantId] });
      const b = await create({ url: `https://b-${marker}.example/hook`, description: `Beta ${marker}`, global: true });
      const c = await create({ url: `https://c-${marker}.example/hook`, description: `Gamma ${marker}` });
      const byUrl = (await client.searchWebhooks({ search: { url: `*${marker}.example*` } })).response;
      assert.deepEqual(byUrl.webhooks!.map((webhook) => webhook.id), [a.id, b.id, c.id]);
      assert.equal(byUrl.total, 3);
      const byDescription = (await client.searchWebhooksByParameters(`beta ${marker}`, 10, 'url DESC', 0, undefined as unknown as string, undefined as unknown as string)).response;
      assert.deepEqual(byDescription.webhooks!.map((webhook) => webhook.id), [b.id]);
      const byTenant = (await client.searchWebhooks({ search: { url: marker, tenantId } })).response;
      assert.deepEqual(byTenant.webhooks!.map((webhook) => webhook.id), [a.id, b.id], 'webhooks naming the tenant, and global ones');
      const paged = (await client.searchWebhooks({ search: { url: marker, orderBy: 'url DESC', startRow: 1, numberOfResults: 1 } })).response;
      assert.deepEqual([paged.webhooks!.map((webhook) => webhook.id), paged.total], [[b.id], 3]);
      const bad = await expectStatus(client.searchWebhooks({ search: { orderBy: 'password', tenantId: 'x' as string } }), 400);
      assert.deepEqual(errorCodes(bad).sort(), ['[invalid]search.tenantId']);
      const badOrder = await expectStatus(client.searchWebhooks({ search: { orderBy: 'password' } }), 400);
      assert.deepEqual(errorCodes(badOrder), ['[invalid]search.orderBy']);
    });

    it('is for unscoped API keys only', async () => {
      const tenantId = (await client.createTenant('', { tenant: { name: `Scoped ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId } })).response.apiKey!.key!);
      const existing = await create({ url: 'https://receiver.example.com/scoped', tenantIds: [tenantId] });
      const before = await count();
      await expectStatus(scoped.createWebhook('', { webhook: { url: 'https://ok.example', tenantIds: [tenantId] } }), 401);
      await expectStatus(scoped.retrieveWebhooks(), 401);
      await expectStatus(scoped.retrieveWebhook(existing.id!), 401);
      await expectStatus(scoped.updateWebhook(existing.id!, { webhook: { url: 'https://ok.example' } }), 401);
      await expectStatus(scoped.patchWebhook(existing.id!, { webhook: { url: 'https://ok.example' } }), 401);
      await expectStatus(scoped.deleteWebhook(existing.id!), 401);
      await expectStatus(scoped.searchWebhooks({ search: {} }), 401);
      await expectStatus(scoped.searchWebhookEventLogs({ search: {} }), 401);
      await expectStatus(scoped.retrieveWebhookEventLog(randomUUID()), 401);
      assert.equal(await count(), before);
      assert.deepEqual((await client.retrieveWebhook(existing.id!)).response.webhook, existing);
    });

    it('takes effect at once: a new subscriber gets the next event in the outbox', async () => {
      const tenantId = (await client.createTenant('', { tenant: { name: `Outbox ${randomUUID()}` } })).response.tenant!.id!;
      const webhook = await create({ url: 'https://receiver.example.com/outbox', tenantIds: [tenantId], eventsEnabled: { 'user.create': true } as Events });
      await clientFor(gatehouse.apiKey, tenantId).createUser('', { user: { email: `outbox-${randomUUID()}@example.com`, password: 'correct horse battery' } });
      const rows = await gatehouse.store.db.selectFrom('webhook_deliveries').select(['event_id', 'status']).where('webhook_id', '=', webhook.id!).execute();
      assert.equal(rows.length, 1, 'the user.create event of the tenant was written for the new webhook');
      assert.equal(rows[0]!.status, 'pending');
    });
  });
}
