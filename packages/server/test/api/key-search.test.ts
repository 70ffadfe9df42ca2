import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, Key, KeySearchCriteria, KeySearchResponse } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

/** No private key or HMAC secret in a search response, ever. */
function assertPublicOnly(body: unknown): void {
  const text = JSON.stringify(body ?? null);
  assert.equal(text.includes('PRIVATE KEY'), false, 'no private key in a response');
  assert.equal(/"(secret|privateKey|d|k)"\s*:/.test(text), false, `no secret member in a response: ${text.slice(0, 200)}`);
}

for (const backend of backends) {
  describe(`/api/key/search on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    /** This run's keys all carry this prefix, so a search can be limited to them. */
    const prefix = `Search ${randomUUID()}`;
    const keys = new Map<string, Key>();

    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, baseUrl, clientFor } = await serveWithClient(gatehouse));
      const plan: Array<[string, string]> = [
        ['alpha', 'ES256'],
        ['Bravo', 'HS256'],
        ['charlie', 'RS256'],
        ['Delta', 'ES384'],
        ['echo', 'HS512'],
        ['Foxtrot', 'Ed25519'],
        ['golf*star', 'HS256'],
      ];
      for (const [suffix, algorithm] of plan) {
        const { response } = await client.generateKey('', { key: { algorithm, name: `${prefix} ${suffix}` } as Key });
        keys.set(suffix, response.key!);
      }
    });
    after(async () => {
      await gatehouse.close();
    });

    async function search(criteria: Record<string, unknown>): Promise<KeySearchResponse> {
      const { response } = await client.searchKeys({ search: criteria as KeySearchCriteria });
      assertPublicOnly(response);
      return response;
    }

    const suffixes = (response: KeySearchResponse) => (response.keys ?? []).map((key) => key.name!.slice(prefix.length + 1));

    it('matches names FusionAuth-style: contains without `*`, anchored with it, case-insensitive; ordered by name by default', async () => {
      const all = await search({ name: prefix.toUpperCase() });
      assert.equal(all.total, 7);
      assert.deepEqual(suffixes(all), ['alpha', 'Bravo', 'charlie', 'Delta', 'echo', 'Foxtrot', 'golf*star'], 'name ASC, case-insensitive');
      assert.deepEqual(all.keys?.[0], (await client.retrieveKey(keys.get('alpha')!.id!)).response.key, 'the same key object as retrieve');

      assert.deepEqual(suffixes(await search({ name: `${prefix} B*` })), ['Bravo']);
      assert.deepEqual(suffixes(await search({ name: `*${prefix.slice(20)}*o` })), ['Bravo', 'echo'], 'ends with o');
      assert.deepEqual(suffixes(await search({ name: `${prefix} golf**star` })), ['golf*star'], '`**` is a literal star');
      assert.equal((await search({ name: `${prefix} golf` })).total, 1, 'no star: contains');
      assert.equal((await search({ name: 'golf' })).total, 1);
      assert.equal((await search({ name: `${prefix} golf` })).keys?.[0]?.id, keys.get('golf*star')!.id);
      assert.deepEqual(await search({ name: `nothing ${randomUUID()}` }), { keys: [], total: 0 });
    });

    it('filters by algorithm and type, alone and together', async () => {
      assert.deepEqual(suffixes(await search({ name: prefix, algorithm: 'HS256' })), ['Bravo', 'golf*star']);
      assert.deepEqual(suffixes(await search({ name: prefix, type: 'HMAC' })), ['Bravo', 'echo', 'golf*star']);
      assert.deepEqual(suffixes(await search({ name: prefix, type: 'EC' })), ['alpha', 'Delta']);
      assert.deepEqual(suffixes(await search({ name: prefix, type: 'OKP', algorithm: 'Ed25519' })), ['Foxtrot']);
      assert.deepEqual(suffixes(await search({ name: prefix, type: 'RSA', algorithm: 'ES256' })), []);
      // FusionAuth's Secrets: valid criteria that Gatehouse, which keeps no Secrets, never matches.
      assert.equal((await search({ algorithm: 'None' })).total, 0);
      assert.equal((await search({ type: 'Secret' })).total, 0);
      // Without a name, every key counts: the first-start signing key is an ES256 key too.
      const es256 = await search({ algorithm: 'ES256' });
      assert.ok(es256.keys?.some((key) => key.id === gatehouse.setup.defaultSigningKeyId));
      assert.ok(es256.keys?.every((key) => key.algorithm === 'ES256'));
    });

    it('orders by every FusionAuth field, in either direction, with several terms', async () => {
      const byName = (orderBy: string) => search({ name: prefix, orderBy }).then(suffixes);
      assert.deepEqual(await byName('name DESC'), ['golf*star', 'Foxtrot', 'echo', 'Delta', 'charlie', 'Bravo', 'alpha']);
      assert.deepEqual(await byName('insertInstant'), ['alpha', 'Bravo', 'charlie', 'Delta', 'echo', 'Foxtrot', 'golf*star']);
      assert.deepEqual(await byName('insertInstant desc'), ['golf*star', 'Foxtrot', 'echo', 'Delta', 'charlie', 'Bravo', 'alpha']);
      assert.deepEqual(await byName('type ASC, name DESC'), ['Delta', 'alpha', 'golf*star', 'echo', 'Bravo', 'Foxtrot', 'charlie']);
      // FusionAuth's algorithm names, compared by code point: `Ed25519` comes after `ES384`.
      assert.deepEqual(await byName('algorithm, name'), ['alpha', 'Delta', 'Foxtrot', 'Bravo', 'golf*star', 'echo', 'charlie']);
      const ids = [...keys.values()].map((key) => key.id!).sort();
      assert.deepEqual(
        (await search({ name: prefix, orderBy: 'id' })).keys?.map((key) => key.id),
        ids,
      );
      // Keys without a certificate have no expiration: smaller than any, first ascending, last descending.
      const expirationAscending = await byName('expiration, name');
      assert.deepEqual(expirationAscending.slice(0, 3), ['Bravo', 'echo', 'golf*star']);
      assert.deepEqual(new Set(expirationAscending.slice(3)), new Set(['alpha', 'charlie', 'Delta', 'Foxtrot']));
      assert.deepEqual((await byName('expiration DESC, name')).slice(4), ['Bravo', 'echo', 'golf*star']);
    });

    it('pages with startRow and numberOfResults; the total stays the number of matches', async () => {
      const pages: string[][] = [];
      for (const startRow of [0, 3, 6, 9]) {
        const page = await search({ name: prefix, startRow, numberOfResults: 3 });
        assert.equal(page.total, 7);
        pages.push(suffixes(page));
      }
      assert.deepEqual(pages, [['alpha', 'Bravo', 'charlie'], ['Delta', 'echo', 'Foxtrot'], ['golf*star'], []]);
      assert.deepEqual(await search({ name: prefix, numberOfResults: 0 }), { keys: [], total: 7 });

      // 25 results by default.
      for (let index = 0; index < 20; index += 1) await client.generateKey('', { key: { algorithm: 'HS256', name: `${prefix} zz ${index}` } as Key });
      const firstPage = await search({ name: prefix });
      assert.equal(firstPage.total, 27);
      assert.equal(firstPage.keys?.length, 25);
      assert.equal((await search({ name: prefix, startRow: 25 })).keys?.length, 2);
      const everything = await client.retrieveKeys();
      assert.equal((await search({})).total, everything.response.keys?.length, 'no criteria: every key');
      assert.equal((await client.searchKeys({})).response.total, everything.response.keys?.length, 'no search object: every key');
    });

    it('answers GET with query parameters the same way, and GET /api/key/search is never taken for a key id', async () => {
      const { response } = await client.searchKeysByParameters('HS256', `${prefix} *o*`, 10, 'name DESC', 0, 'HMAC');
      assertPublicOnly(response);
      assert.deepEqual(suffixes(response), ['golf*star', 'Bravo']);
      assert.equal(response.total, 2);

      const plain = await fetch(`${baseUrl}/api/key/search`, { headers: { authorization: gatehouse.apiKey } });
      assert.equal(plain.status, 200);
      const body = (await plain.json()) as KeySearchResponse;
      assert.equal(body.total, (await client.retrieveKeys()).response.keys?.length);
      assert.equal(body.keys?.length, 25);

      const paged = await fetch(`${baseUrl}/api/key/search?name=${encodeURIComponent(prefix)}&startRow=5&numberOfResults=1&orderBy=name`, { headers: { authorization: gatehouse.apiKey } });
      assert.deepEqual(suffixes((await paged.json()) as KeySearchResponse), ['Foxtrot']);
      // The other methods on /api/key/search are /api/key/{keyId} routes, where `search` is no UUID.
      await expectStatus(client.updateKey('search', { key: { name: 'x' } as Key }), 400);
      await expectStatus(client.deleteKey('search'), 400);
    });

    it('refuses bad criteria with FusionAuth field errors, in the body and in the query', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ algorithm: 'PS256' }, '[invalid]search.algorithm'],
        [{ algorithm: 7 }, '[invalid]search.algorithm'],
        [{ type: 'DSA' }, '[invalid]search.type'],
        [{ name: 7 }, '[invalid]search.name'],
        [{ name: 'x'.repeat(1025) }, '[tooLong]search.name'],
        [{ orderBy: 'kid' }, '[invalid]search.orderBy'],
        [{ orderBy: 'name sideways' }, '[invalid]search.orderBy'],
        [{ orderBy: 'name ASC DESC' }, '[invalid]search.orderBy'],
        [{ orderBy: 'name,' }, '[invalid]search.orderBy'],
        [{ orderBy: 'name; drop table signing_keys' }, '[invalid]search.orderBy'],
        [{ startRow: -1 }, '[tooSmall]search.startRow'],
        [{ startRow: 1.5 }, '[invalid]search.startRow'],
        [{ numberOfResults: -1 }, '[tooSmall]search.numberOfResults'],
        [{ numberOfResults: 10_001 }, '[tooLarge]search.numberOfResults'],
        [{ numberOfResults: '5' }, '[invalid]search.numberOfResults'],
      ];
      for (const [criteria, code] of cases) {
        const body = await expectStatus(client.searchKeys({ search: criteria as KeySearchCriteria }), 400);
        assert.deepEqual(errorCodes(body), [code], JSON.stringify(criteria));
      }
      const notAnObject = await expectStatus(client.searchKeys({ search: 'everything' } as never), 400);
      assert.deepEqual(errorCodes(notAnObject), ['[invalid]search']);

      const query = async (parameters: string, code: string) => {
        const response = await fetch(`${baseUrl}/api/key/search?${parameters}`, { headers: { authorization: gatehouse.apiKey } });
        assert.equal(response.status, 400, parameters);
        assert.deepEqual(errorCodes((await response.json()) as never), [code], parameters);
      };
      await query('startRow=x', '[invalid]search.startRow');
      await query('numberOfResults=99999999999', '[invalid]search.numberOfResults');
      await query('numberOfResults=10001', '[tooLarge]search.numberOfResults');
      await query('algorithm=', '[invalid]search.algorithm');
      await query('orderBy=secret', '[invalid]search.orderBy');
      await query('type=HMAC&type=RSA', '[invalid]search.type');
    });

    it('keeps tenant-scoped API keys out, and needs an API key', async () => {
      const scopedKey = (await client.createAPIKey('', { apiKey: { tenantId: gatehouse.setup.defaultTenantId } })).response.apiKey!.key!;
      await expectStatus(clientFor(scopedKey).searchKeys({ search: {} }), 401);
      await expectStatus(clientFor(scopedKey).searchKeysByParameters('', '', 25, '', 0, ''), 401);
      await expectStatus(clientFor('wrong key').searchKeys({ search: {} }), 401);
      assert.equal((await fetch(`${baseUrl}/api/key/search`)).status, 401);
    });
  });
}
