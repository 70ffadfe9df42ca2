import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importedPassword, isImportHashProblem } from './import-hash.ts';

describe('importedPassword', () => {
  it('keeps a well-formed hash exactly as given, with the scheme default factor when none is sent', () => {
    assert.deepEqual(importedPassword('salted-pbkdf2-hmac-sha256', '8qaGZ/GUsHzUqzEtf5VaKEiq7xfbr8HtpzQpXCNvuTE=', 'c2FsdHlzYWx0', undefined), {
      hash: '8qaGZ/GUsHzUqzEtf5VaKEiq7xfbr8HtpzQpXCNvuTE=', scheme: 'salted-pbkdf2-hmac-sha256', factor: 24_000, salt: 'c2FsdHlzYWx0',
    });
    const phc = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    assert.deepEqual(importedPassword('argon2id', phc, undefined, undefined), { hash: phc, scheme: 'argon2id', factor: 2, salt: undefined });
  });

  it('says what is wrong with a hash it could never verify', () => {
    const problem = (scheme: string, hash: string, salt: string | undefined, factor?: number) => {
      const result = importedPassword(scheme, hash, salt, factor);
      return isImportHashProblem(result) ? `[${result.reason}]${result.field}` : 'ok';
    };
    assert.equal(problem('rot13', 'x', ''), '[invalid]encryptionScheme');
    assert.equal(problem('salted-md5', 'X03MO1qnZdYdgyfeuILPmQ==', undefined), '[blank]salt');
    assert.equal(problem('salted-md5', '5f4dcc3b5aa765d61d8327deb882cf99', ''), '[invalid]password', 'hex is not base64 of 16 bytes');
    assert.equal(problem('salted-sha256', 'XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=', 'not base64!'), '[invalid]password');
    assert.equal(problem('salted-sha256', 'XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=', '', 0), '[tooSmall]factor');
    assert.equal(problem('salted-sha256', 'XohImNooBHFR0OVvjcYpJ3NgPQ1qq73WKhHvch0VQtg=', '', 10_000_000), '[tooLarge]factor');
    assert.equal(problem('bcrypt', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', ''), '[invalid]password', 'bcrypt must be split');
    assert.equal(problem('bcrypt', 'E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'CCCCCCCCCCCCCCCCCCCCC.', 31), '[tooLarge]factor');
    assert.equal(problem('argon2id', 'plaintext', undefined), '[invalid]password');
  });
});
