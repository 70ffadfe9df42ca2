import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { hashApiKey } from '../../src/tenancy/api-key-secret.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

for (const backend of backends) {
  describe(`/api/api-key on ${backend}`, () => {
    let gatehouse: TestApp;
    before(async () => {
      gatehouse = await createTestApp(backend);
      await gatehouse.app.ready();
    });
    after(async () => {
      await gatehouse.close();
    });

    function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, authorization: string | undefined, body?: unknown) {
      const headers: Record<string, string> = {};
      if (authorization !== undefined) headers['authorization'] = authorization;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return gatehouse.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    }

    it('401 with an empty body for a missing, unknown or near-miss key', async () => {
      for (const authorization of [undefined, '', 'not-a-key', `${gatehouse.apiKey}x`, `Bearer ${gatehouse.apiKey}`]) {
        const response = await call('POST', '/api/api-key', authorization, { apiKey: {} });
        assert.equal(response.statusCode, 401, String(authorization));
        assert.equal(response.body, '');
      }
    });

    it('creates a generated key, shows it once, stores only its hash', async () => {
      const response = await call('POST', '/api/api-key', gatehouse.apiKey, {
        apiKey: { metaData: { attributes: { description: 'reader' } }, permissions: { endpoints: { '/api/api-key': ['get'] } }, unknownField: 1 },
      });
      assert.equal(response.statusCode, 200);
      const { apiKey } = response.json();
      assert.match(apiKey.key, /^gth_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(apiKey.permissions, { endpoints: { '/api/api-key': ['GET'] } });
      assert.deepEqual(apiKey.metaData, { attributes: { description: 'reader' } });
      assert.equal(apiKey.keyManager, false);
      assert.equal(typeof apiKey.insertInstant, 'number');
      const stored = await gatehouse.store.repositories.apiKeys.find(apiKey.id);
      assert.deepEqual(stored?.keyHash, hashApiKey(apiKey.key));

      const retrieved = await call('GET', `/api/api-key/${apiKey.id}`, gatehouse.apiKey);
      assert.equal(retrieved.statusCode, 200);
      assert.equal(retrieved.json().apiKey.key, undefined, 'the value is never retrievable');
      assert.equal(retrieved.json().apiKey.id, apiKey.id);
    });

    it('creates a caller-chosen key at a caller-chosen id without echoing the value', async () => {
      const id = randomUUID();
      const value = `kickstart-style-${randomUUID()}`;
      const response = await call('POST', `/api/api-key/${id}`, gatehouse.apiKey, { apiKey: { key: value } });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().apiKey.id, id);
      assert.equal(response.json().apiKey.key, undefined);
      assert.equal((await call('GET', `/api/api-key/${id}`, value)).statusCode, 401, 'not a key manager');

      const again = await call('POST', `/api/api-key/${id}`, gatehouse.apiKey, { apiKey: {} });
      assert.equal(again.statusCode, 400);
      assert.deepEqual(again.json().fieldErrors['apiKey.id'][0].code, '[duplicate]apiKey.id');
      const sameValue = await call('POST', '/api/api-key', gatehouse.apiKey, { apiKey: { key: value } });
      assert.equal(sameValue.json().fieldErrors['apiKey.key'][0].code, '[duplicate]apiKey.key');
    });

    it('answers bad input with FusionAuth field errors and stores nothing', async () => {
      const before = await gatehouse.store.repositories.apiKeys.count();
      const cases: Array<[unknown, string]> = [
        [{}, '[blank]apiKey'],
        [{ apiKey: { key: 'short' } }, '[tooShort]apiKey.key'],
        [{ apiKey: { tenantId: 'not-a-uuid' } }, '[invalid]apiKey.tenantId'],
        [{ apiKey: { tenantId: randomUUID() } }, '[invalid]apiKey.tenantId'],
        [{ apiKey: { keyManager: 'sometimes' } }, '[invalid]apiKey.keyManager'],
        [{ apiKey: { permissions: { endpoints: { '/api/user': ['FETCH'] } } } }, '[invalid]apiKey.permissions.endpoints'],
        [{ apiKey: { permissions: { endpoints: { '/admin': ['GET'] } } } }, '[invalid]apiKey.permissions.endpoints'],
        [{ apiKey: { expirationInstant: 1000 } }, '[invalid]apiKey.expirationInstant'],
        [{ apiKey: { expirationInstant: 2 ** 63 } }, '[tooLarge]apiKey.expirationInstant'],
        [[1, 2], '[invalid]request'],
      ];
      for (const [body, code] of cases) {
        const response = await call('POST', '/api/api-key', gatehouse.apiKey, body);
        assert.equal(response.statusCode, 400, JSON.stringify(body));
        const codes = Object.values(response.json().fieldErrors ?? {}).flat().map((item) => (item as { code: string }).code);
        assert.ok(codes.includes(code), `${JSON.stringify(body)} → ${JSON.stringify(codes)}`);
      }
      assert.equal(await gatehouse.store.repositories.apiKeys.count(), before);
    });

    it('enforces endpoint permissions and expiry', async () => {
      const created = await call('POST', '/api/api-key', gatehouse.apiKey, {
        apiKey: { keyManager: false, permissions: { endpoints: { '/api/api-key': ['GET'] } }, expirationInstant: Date.now() + 60_000 },
      });
      const limited = created.json().apiKey.key as string;
      // Allowed by permissions but not a key manager: FusionAuth answers 401 for both.
      assert.equal((await call('GET', `/api/api-key/${created.json().apiKey.id}`, limited)).statusCode, 401);
      assert.equal((await call('POST', '/api/api-key', limited, { apiKey: {} })).statusCode, 401);

      const expiring = await gatehouse.store.transaction(async (repositories) => {
        const { createApiKey } = await import('../../src/tenancy/api-keys.ts');
        return createApiKey(repositories, { keyManager: true, expirationInstant: Date.now() + 1 }, Date.now());
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      assert.equal((await call('GET', `/api/api-key/${expiring.record.id}`, expiring.value)).statusCode, 401, 'expired');
    });

    it('keeps a tenant-scoped key manager inside its tenant', async () => {
      const tenantId = gatehouse.setup.defaultTenantId;
      const manager = await call('POST', '/api/api-key', gatehouse.apiKey, { apiKey: { tenantId, keyManager: true } });
      const scoped = manager.json().apiKey.key as string;
      assert.equal((await call('POST', '/api/api-key', scoped, { apiKey: {} })).statusCode, 400);
      const own = await call('POST', '/api/api-key', scoped, { apiKey: { tenantId } });
      assert.equal(own.statusCode, 200);
      const globalKey = (await call('POST', '/api/api-key', gatehouse.apiKey, { apiKey: {} })).json().apiKey.id;
      assert.equal((await call('GET', `/api/api-key/${globalKey}`, scoped)).statusCode, 404);
      assert.equal((await call('DELETE', `/api/api-key/${globalKey}`, scoped)).statusCode, 404);
      assert.equal((await call('GET', `/api/api-key/${own.json().apiKey.id}`, scoped)).statusCode, 200);
    });

    it('updates a key with PUT: settings change, the value and tenant do not, and it applies at once', async () => {
      const created = (await call('POST', '/api/api-key', gatehouse.apiKey, { apiKey: { keyManager: true, permissions: { endpoints: { '/api/api-key': ['GET'] } } } })).json().apiKey;
      const updated = await call('PUT', `/api/api-key/${created.id}`, gatehouse.apiKey, {
        apiKey: { metaData: { attributes: { description: 'renamed' } }, permissions: { endpoints: { '/api/tenant': ['get'] } }, keyManager: false },
      });
      assert.equal(updated.statusCode, 200);
      assert.deepEqual(updated.json().apiKey.permissions, { endpoints: { '/api/tenant': ['GET'] } });
      assert.equal(updated.json().apiKey.metaData.attributes.description, 'renamed');
      assert.equal(updated.json().apiKey.key, undefined);
      assert.equal((await call('GET', `/api/api-key/${created.id}`, created.key)).statusCode, 401, 'no longer a key manager, no longer allowed there');
      const stored = await gatehouse.store.repositories.apiKeys.find(created.id);
      assert.deepEqual(stored?.keyHash, hashApiKey(created.key), 'the value never changes');

      const value = await call('PUT', `/api/api-key/${created.id}`, gatehouse.apiKey, { apiKey: { key: 'another-value-0123456789' } });
      assert.equal(value.json().fieldErrors['apiKey.key'][0].code, '[invalid]apiKey.key');
      const tenant = await call('PUT', `/api/api-key/${created.id}`, gatehouse.apiKey, { apiKey: { tenantId: gatehouse.setup.defaultTenantId } });
      assert.equal(tenant.json().fieldErrors['apiKey.tenantId'][0].code, '[invalid]apiKey.tenantId');
      assert.equal((await call('PUT', `/api/api-key/${randomUUID()}`, gatehouse.apiKey, { apiKey: {} })).statusCode, 404);
      assert.equal((await call('PUT', `/api/api-key/${created.id}`, created.key, { apiKey: {} })).statusCode, 401);
      assert.deepEqual((await gatehouse.store.repositories.apiKeys.find(created.id))?.permissions, { '/api/tenant': ['GET'] }, 'refused updates change nothing');
    });

    it('deletes a key, after which it no longer authenticates', async () => {
      const created = (await call('POST', '/api/api-key', gatehouse.apiKey, { apiKey: { keyManager: true } })).json().apiKey;
      assert.equal((await call('GET', `/api/api-key/${created.id}`, created.key)).statusCode, 200);
      assert.equal((await call('DELETE', `/api/api-key/${created.id}`, created.key)).json().generalErrors[0].code, '[CannotDeleteSelf]');
      const deleted = await call('DELETE', `/api/api-key/${created.id}`, gatehouse.apiKey);
      assert.equal(deleted.statusCode, 200);
      assert.equal(deleted.body, '');
      assert.equal((await call('GET', `/api/api-key/${created.id}`, created.key)).statusCode, 401);
      assert.equal((await call('DELETE', `/api/api-key/${created.id}`, gatehouse.apiKey)).statusCode, 404);
    });
  });
}
