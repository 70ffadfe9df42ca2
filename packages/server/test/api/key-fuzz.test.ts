import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pems = [
  pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  '{"kty":"RSA","n":1}',
  '{',
];

/** Values near what the routes take, and far from it: wrong types, huge numbers, real and broken PEMs. */
const value = fc.oneof(
  fc.constantFrom('ES256', 'RS256', 'Ed25519', 'EdDSA', 'HS256', 'PS256', 'None', '', 2048, 1024, 4096, -1, 1e308, null, true, ...pems),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.jsonValue({ maxDepth: 2 }),
);
const keyObject = fc.dictionary(fc.constantFrom('algorithm', 'name', 'length', 'kid', 'publicKey', 'privateKey', 'certificate', 'secret', 'id'), value);
const body = fc.oneof(fc.record({ key: fc.oneof(keyObject, value) }), fc.jsonValue({ maxDepth: 2 }));
const route = fc.constantFrom(
  { method: 'POST', url: '/api/key/generate' },
  { method: 'POST', url: '/api/key/import' },
  { method: 'PUT', url: '/api/key/00000000-0000-4000-8000-000000000000' },
) as fc.Arbitrary<{ method: 'POST' | 'PUT'; url: string }>;

for (const backend of backends) {
  describe(`random bodies at the Key Master write routes on ${backend}`, () => {
    let gatehouse: TestApp;
    before(async () => {
      gatehouse = await createTestApp(backend);
      await gatehouse.app.ready();
    });
    after(async () => {
      await gatehouse.close();
    });

    it('never answer 500, never leak a private part, and store nothing on a 4xx', async () => {
      const count = async () => (await gatehouse.store.repositories.signingKeys.list()).length;
      await fc.assert(
        fc.asyncProperty(route, body, async ({ method, url }, payload) => {
          const before = await count();
          const response = await gatehouse.app.inject({ method, url, payload: JSON.stringify(payload), headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json' } });
          assert.ok(response.statusCode < 500, `${method} ${url} ${JSON.stringify(payload).slice(0, 300)} → ${response.statusCode}`);
          assert.equal(response.body.includes('PRIVATE KEY'), false);
          if (response.statusCode >= 400) assert.equal(await count(), before, 'nothing stored on a 4xx');
        }),
        { numRuns: 300 },
      );
    });
  });
}
