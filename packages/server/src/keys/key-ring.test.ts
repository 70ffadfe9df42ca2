import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyRing, generateMasterKeySpec, parseMasterKeys, UnsealError } from './key-ring.ts';

const context = { table: 'signing_keys', row: 'row-1', column: 'private_sealed' };

describe('master key ring', () => {
  it('seals so that only the same table, row and column unseal', () => {
    const ring = createKeyRing(parseMasterKeys(generateMasterKeySpec()));
    const sealed = ring.seal('secret value', context);
    assert.equal(sealed.includes(Buffer.from('secret value')), false);
    assert.equal(ring.unseal(sealed, context).toString(), 'secret value');
    assert.throws(() => ring.unseal(sealed, { ...context, row: 'row-2' }), UnsealError);
    assert.throws(() => ring.unseal(sealed, { ...context, column: 'other' }), UnsealError);
  });

  it('detects tampering', () => {
    const ring = createKeyRing(parseMasterKeys(generateMasterKeySpec()));
    const sealed = ring.seal('secret value', context);
    sealed[sealed.length - 1]! ^= 1;
    assert.throws(() => ring.unseal(sealed, context), UnsealError);
  });

  it('rotates: a new first key seals, older keys still unseal', () => {
    const old = generateMasterKeySpec('old');
    const sealedByOld = createKeyRing(parseMasterKeys(old)).seal('kept', context);
    const rotated = createKeyRing(parseMasterKeys(`${generateMasterKeySpec('new')},${old}`));
    assert.equal(rotated.activeKeyId, 'new');
    assert.equal(rotated.unseal(sealedByOld, context).toString(), 'kept');
    const withoutOld = createKeyRing(parseMasterKeys(generateMasterKeySpec('new')));
    assert.throws(() => withoutOld.unseal(sealedByOld, context), /master key "old", which is not in GATEHOUSE_MASTER_KEY/);
  });

  it('parses bare keys and rejects malformed rings', () => {
    const bare = Buffer.alloc(32, 7).toString('base64url');
    const [key] = parseMasterKeys(bare);
    assert.equal(key?.secret.length, 32);
    assert.match(key?.id ?? '', /^[A-Za-z0-9_-]{8}$/);
    assert.throws(() => parseMasterKeys(''), /at least one key/);
    assert.throws(() => parseMasterKeys('k1:AAAA'), /32 bytes/);
    assert.throws(() => parseMasterKeys(`bad id:${bare}`), /invalid id/);
    assert.throws(() => parseMasterKeys(`a:${bare},a:${bare}`), /unique/);
  });
});
