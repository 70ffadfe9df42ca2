import assert from 'node:assert/strict';
import { argon2 as nodeArgon2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword, type StoredPassword } from './verify-password.ts';

const salt = 'c2FsdHlzYWx0'; // base64("saltysalt")

/**
 * Known vectors, computed by implementations other than the code under test: RFC 7914 §11 (PBKDF2-SHA256),
 * the OpenBSD/John-the-Ripper bcrypt set, the phc-winner-argon2 reference test suite, and Python's
 * hashlib/hmac following FusionAuth's published pseudocode (docs: reference/password-hashes).
 */
const vectors: Array<[string, StoredPassword, string]> = [
  ['salted-md5 with the empty salt is plain MD5', { scheme: 'salted-md5', hash: 'X03MO1qnZdYdgyfeuILPmQ==', salt: '', factor: 1 }, 'password'],
  ['salted-md5, 20000 rounds', { scheme: 'salted-md5', hash: 'Zkr8ZUspgRxZndD+xZd8/g==', salt, factor: 20_000 }, 'correct horse'],
  ['salted-sha256 with the empty salt is plain SHA-256', { scheme: 'salted-sha256', hash: 'XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=', salt: '', factor: 1 }, 'password'],
  ['salted-sha256, 20000 rounds', { scheme: 'salted-sha256', hash: '40nQanbb9m70TL7uEq1mirT9oiv3kildM8mPmohmyRc=', salt, factor: 20_000 }, 'correct horse'],
  ['salted-pbkdf2-hmac-sha256 (RFC 7914 §11, first 32 bytes)', { scheme: 'salted-pbkdf2-hmac-sha256', hash: 'VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=', salt: 'c2FsdA==', factor: 1 }, 'passwd'],
  ['salted-pbkdf2-hmac-sha256, 24000 rounds', { scheme: 'salted-pbkdf2-hmac-sha256', hash: '8qaGZ/GUsHzUqzEtf5VaKEiq7xfbr8HtpzQpXCNvuTE=', salt, factor: 24_000 }, 'correct horse'],
  ['salted-pbkdf2-hmac-sha256-512', { scheme: 'salted-pbkdf2-hmac-sha256-512', hash: 'ogyELkenhssjo9YzB+hLx2dedTg0guGJUM+KVU08H9LBvArsxopLBCcXZmoAjPlbF5/cvq9upkVxSwrO/i7PAA==', salt, factor: 1000 }, 'correct horse'],
  ['salted-pbkdf2-hmac-sha512-512', { scheme: 'salted-pbkdf2-hmac-sha512-512', hash: 'O16XWuVnexqJLfsDefbzG3j1sRqZ4NQffvOk/DVe8KldHgaig+20sUtifCNA8FgiBakhT8hVy+gQEyr/baYuqg==', salt, factor: 1000 }, 'correct horse'],
  ['salted-hmac-sha256', { scheme: 'salted-hmac-sha256', hash: '1UvPxJ5eq/vG49b/BnjI8C2k/DCuacCxV5qvJm4ydpE=', salt, factor: 1 }, 'correct horse'],
  ['bcrypt split as FusionAuth imports it ($2a$05$ + salt + hash)', { scheme: 'bcrypt', hash: 'E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', salt: 'CCCCCCCCCCCCCCCCCCCCC.', factor: 5 }, 'U*U'],
  ['argon2id PHC (reference test vector)', { scheme: 'argon2id', hash: '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc', salt: undefined, factor: 2 }, 'password'],
];

describe('verifyPassword', () => {
  for (const [name, stored, password] of vectors) {
    // Only an argon2id hash at (or above) today's parameters is kept as it is.
    const needsRehash = stored.scheme !== 'argon2id';
    it(`matches ${name}, says whether to rehash, and refuses a wrong password`, async () => {
      assert.deepEqual(await verifyPassword(stored, password), { ok: true, needsRehash });
      assert.deepEqual(await verifyPassword(stored, `${password}x`), { ok: false, needsRehash: false });
      assert.deepEqual(await verifyPassword(stored, ''), { ok: false, needsRehash: false });
    });
  }

  it('hashes new passwords as argon2id PHC strings at the OWASP parameters, never needing a rehash', async () => {
    const stored = await hashPassword('Tr0ub4dor&3');
    assert.equal(stored.scheme, 'argon2id');
    assert.match(stored.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.doesNotMatch(stored.hash, /Tr0ub4dor/);
    assert.notEqual((await hashPassword('Tr0ub4dor&3')).hash, stored.hash, 'every hash has its own salt');
    assert.deepEqual(await verifyPassword(stored, 'Tr0ub4dor&3'), { ok: true, needsRehash: false });
    assert.deepEqual(await verifyPassword(stored, 'tr0ub4dor&3'), { ok: false, needsRehash: false });
  });

  it("verifies argon2id made by Node's own implementation, and upgrades weaker parameters", async () => {
    const phc = async (memory: number, passes: number) => {
      const nonce = randomBytes(16);
      const tag = await promisify(nodeArgon2)('argon2id', { message: 'hunter2', nonce, parallelism: 1, tagLength: 32, memory, passes });
      const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
      return { scheme: 'argon2id', hash: `$argon2id$v=19$m=${memory},t=${passes},p=1$${b64(nonce)}$${b64(tag)}`, salt: undefined, factor: passes };
    };
    assert.deepEqual(await verifyPassword(await phc(19_456, 2), 'hunter2'), { ok: true, needsRehash: false });
    assert.deepEqual(await verifyPassword(await phc(4096, 3), 'hunter2'), { ok: true, needsRehash: true });
    assert.deepEqual(await verifyPassword(await phc(19_456, 1), 'hunter2'), { ok: true, needsRehash: true });
  });

  it('never matches an unknown scheme or a malformed hash, and never throws', async () => {
    const broken: StoredPassword[] = [
      { scheme: 'rot13', hash: 'cnffjbeq', salt: '', factor: 1 },
      { scheme: 'argon2id', hash: 'not a phc string', salt: undefined, factor: 2 },
      { scheme: 'argon2id', hash: '$argon2i$v=19$m=16,t=2,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA', salt: undefined, factor: 2 },
      { scheme: 'bcrypt', hash: 'short', salt: 'CCCCCCCCCCCCCCCCCCCCC.', factor: 5 },
      { scheme: 'salted-sha256', hash: 'XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQ', salt: '', factor: 1 },
    ];
    for (const stored of broken) assert.deepEqual(await verifyPassword(stored, 'password'), { ok: false, needsRehash: false }, stored.scheme);
  });
});
