import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describe('GET /.well-known/jwks.json', () => {
  let gatehouse: TestApp;
  before(async () => {
    gatehouse = await createTestApp();
    await gatehouse.app.ready();
  });
  after(async () => {
    await gatehouse.close();
  });

  async function jwks() {
    const response = await gatehouse.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(response.headers['access-control-allow-origin'], '*');
    return response.json() as { keys: Array<Record<string, unknown>> };
  }

  it('publishes the first-start ES256 key with kid, alg and use, and no private members', async () => {
    const { keys } = await jwks();
    assert.equal(keys.length, 1);
    const [key] = keys;
    assert.equal(key?.['alg'], 'ES256');
    assert.equal(key?.['use'], 'sig');
    assert.equal(key?.['kty'], 'EC');
    assert.equal(typeof key?.['kid'], 'string');
    for (const member of privateMembers) assert.equal(key?.[member], undefined, member);
  });

  it('verifies a token signed with the active key', async () => {
    const active = await gatehouse.signingKeys.active('ES256');
    assert.ok(active);
    const token = await new SignJWT({ sub: 'user' }).setProtectedHeader({ alg: active.algorithm, kid: active.kid }).setIssuedAt().sign(active.key);
    const { payload } = await jwtVerify(token, createLocalJWKSet(await jwks()));
    assert.equal(payload.sub, 'user');
  });

  it('keeps old keys published after rotation, signs with the new one, never publishes HMAC keys', async () => {
    const before = (await jwks()).keys.map((key) => key['kid']);
    const oldKey = await gatehouse.signingKeys.active('ES256');
    const oldToken = await new SignJWT({ sub: 'old' }).setProtectedHeader({ alg: 'ES256', kid: oldKey!.kid }).sign(oldKey!.key);

    const rotated = await gatehouse.signingKeys.rotate('ES256');
    await gatehouse.signingKeys.rotate('RS256');
    await gatehouse.signingKeys.rotate('EdDSA');
    const hmac = await gatehouse.signingKeys.rotate('HS256');

    const { keys } = await jwks();
    const kids = keys.map((key) => key['kid']);
    assert.ok(before.every((kid) => kids.includes(kid)), 'old keys stay published');
    assert.ok(kids.includes(rotated.kid));
    assert.equal(kids.includes(hmac.kid), false);
    assert.deepEqual(new Set(keys.map((key) => key['alg'])), new Set(['ES256', 'RS256', 'EdDSA']));
    assert.equal(new Set(kids).size, kids.length, 'kids are unique');
    for (const key of keys) for (const member of privateMembers) assert.equal(key[member], undefined, `${String(key['alg'])} ${member}`);

    assert.equal((await gatehouse.signingKeys.active('ES256'))?.kid, rotated.kid);
    const jwkSet = createLocalJWKSet({ keys: keys as never });
    assert.equal((await jwtVerify(oldToken, jwkSet)).payload.sub, 'old');
    for (const algorithm of ['RS256', 'EdDSA'] as const) {
      const active = await gatehouse.signingKeys.active(algorithm);
      const token = await new SignJWT({ sub: algorithm }).setProtectedHeader({ alg: algorithm, kid: active!.kid }).sign(active!.key);
      assert.equal((await jwtVerify(token, jwkSet)).payload.sub, algorithm);
    }
  });

  it('stores private keys sealed, never in clear', async () => {
    const rows = await gatehouse.store.db.selectFrom('signing_keys').select(['private_sealed', 'public_jwk']).execute();
    for (const row of rows) {
      const text = row.private_sealed?.toString('latin1') ?? '';
      assert.equal(text.includes('"d"'), false);
      assert.equal(text.includes('"k"'), false);
    }
  });
});
