import assert from 'node:assert/strict';
import { createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { KeyAlgorithm } from '../../keys/key-algorithms.ts';
import { signCompactJws, signCompactJwsAsync } from './compact-jws.ts';

function keyPair(algorithm: KeyAlgorithm): { key: KeyObject; verifyWith: KeyObject } {
  if (algorithm.startsWith('HS')) {
    const secret = createSecretKey(randomBytes(64));
    return { key: secret, verifyWith: secret };
  }
  const { privateKey } = algorithm.startsWith('RS')
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : algorithm === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[algorithm as 'ES256'] });
  return { key: privateKey, verifyWith: createPublicKey(privateKey) };
}

for (const algorithm of ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'HS256', 'HS384', 'HS512'] as const) {
  test(`signCompactJws: a ${algorithm} signature verifies with jose, header carries alg, kid and typ`, async () => {
    const { key, verifyWith } = keyPair(algorithm);
    const token = signCompactJws({ kid: 'k1', algorithm, key }, { typ: 'JWT' }, { sub: 'user', n: 1 });
    const { payload } = await compactVerify(token, verifyWith, { algorithms: [algorithm] });
    assert.deepEqual(JSON.parse(new TextDecoder().decode(payload)), { sub: 'user', n: 1 });
    assert.deepEqual(decodeProtectedHeader(token), { typ: 'JWT', alg: algorithm, kid: 'k1' });
  });
}

test('signCompactJws: the header cannot override alg or kid', () => {
  const { key } = keyPair('ES256');
  const token = signCompactJws({ kid: 'real', algorithm: 'ES256', key }, { alg: 'none', kid: 'forged' }, {});
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: 'real' });
});

test('signCompactJws: a tampered payload fails verification', async () => {
  const { key, verifyWith } = keyPair('ES256');
  const [header, , signature] = signCompactJws({ kid: 'k', algorithm: 'ES256', key }, {}, { admin: false }).split('.');
  const forged = `${header}.${Buffer.from('{"admin":true}').toString('base64url')}.${signature}`;
  await assert.rejects(compactVerify(forged, verifyWith));
});

for (const algorithm of ['ES256', 'ES384', 'ES512', 'RS256', 'EdDSA', 'HS256'] as const) {
  test(`signCompactJwsAsync: a ${algorithm} signature verifies with jose, like the synchronous one`, async () => {
    const { key, verifyWith } = keyPair(algorithm);
    for (let i = 0; i < 20; i += 1) {
      // Many signatures: ECDSA's r and s sometimes have a leading zero byte or a high bit set.
      const token = await signCompactJwsAsync({ kid: 'k1', algorithm, key }, { typ: 'JWT' }, { i });
      const { payload } = await compactVerify(token, verifyWith, { algorithms: [algorithm] });
      assert.deepEqual(JSON.parse(new TextDecoder().decode(payload)), { i });
      await compactVerify(signCompactJws({ kid: 'k1', algorithm, key }, {}, { i }), verifyWith, { algorithms: [algorithm] });
    }
  });
}
