import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import { derToJose, ecdsaPartSize, joseToDer } from './ecdsa-signature.ts';

for (const [curve, bits] of [['P-256', 256], ['P-384', 384], ['P-521', 521]] as const) {
  test(`ECDSA ${curve}: DER ⇄ r || s agrees with node:crypto's own conversion, both ways`, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const size = ecdsaPartSize(bits);
    // Enough signatures to meet r and s with a leading zero byte and with the high bit set.
    for (let i = 0; i < 300; i += 1) {
      const data = Buffer.from(`message ${i}`);
      const der = sign('sha256', data, privateKey);
      const jose = derToJose(der, size);
      assert.equal(jose.length, size * 2);
      assert.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose));
      assert.deepEqual(joseToDer(jose, size), der, 'canonical DER, byte for byte');
      const p1363 = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      assert.ok(verify('sha256', data, publicKey, joseToDer(p1363, size)!));
    }
  });
}

test('joseToDer refuses a signature of the wrong length, and a zeroed signature does not verify', () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.equal(joseToDer(Buffer.alloc(63), 32), undefined);
  assert.equal(joseToDer(Buffer.alloc(65), 32), undefined);
  const zero = joseToDer(Buffer.alloc(64), 32)!;
  let verified: boolean;
  try {
    verified = verify('sha256', Buffer.from('x'), publicKey, zero);
  } catch {
    verified = false;
  }
  assert.equal(verified, false);
});
