import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUserCode, generateUserCode, normalizeUserCode } from './user-code.ts';

describe('user codes (RFC 8628 §6.1)', () => {
  it('draws from alphabets without vowels or look-alikes, at the configured length', () => {
    const drawn = Array.from({ length: 200 }, () => generateUserCode({ length: 6, type: 'randomAlphaNumeric' })).join('');
    assert.match(drawn, /^[BCDFGHJKLMNPQRSTVWXZ2-9]+$/);
    assert.equal(new Set(drawn).size, 28, 'every character of the alphabet appears');
    assert.match(generateUserCode({ length: 8, type: 'randomAlpha' }), /^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    assert.match(generateUserCode({ length: 9, type: 'randomDigits' }), /^\d{9}$/);
    assert.match(generateUserCode({ length: 6, type: 'randomBytes' }), /^[BCDFGHJKLMNPQRSTVWXZ2-9]{6}$/);
  });

  it('normalizes entry: any case, spaces, dashes and punctuation ignored; nothing or too much is no code', () => {
    assert.equal(normalizeUserCode(' bcd-fgh '), 'BCDFGH');
    assert.equal(normalizeUserCode('Bc.D f_G:h'), 'BCDFGH');
    assert.equal(normalizeUserCode(' - '), undefined);
    assert.equal(normalizeUserCode(undefined), undefined);
    assert.equal(normalizeUserCode('B'.repeat(65)), undefined);
  });

  it('formats for reading in two halves', () => {
    assert.equal(formatUserCode('BCDFGH'), 'BCD-FGH');
    assert.equal(formatUserCode('BCDFGHJKL'), 'BCDFG-HJKL');
  });
});
