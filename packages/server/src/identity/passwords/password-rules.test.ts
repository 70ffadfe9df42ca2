import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordRuleViolations, type PasswordRules } from './password-rules.ts';

const lenient: PasswordRules = { minLength: 8, maxLength: 256, requireMixedCase: false, requireNonAlpha: false, requireNumber: false };
const strict: PasswordRules = { minLength: 8, maxLength: 12, requireMixedCase: true, requireNonAlpha: true, requireNumber: true };
const reasons = (password: string, rules: PasswordRules) => passwordRuleViolations(password, rules).map((violation) => violation.reason);

describe('passwordRuleViolations', () => {
  it('accepts what the rules allow', () => {
    assert.deepEqual(reasons('password', lenient), []);
    assert.deepEqual(reasons('Passw0rd!', strict), []);
  });

  it("reports each broken rule with FusionAuth's reason", () => {
    assert.deepEqual(reasons('short', lenient), ['tooShort']);
    assert.deepEqual(reasons('x'.repeat(257), lenient), ['tooLong']);
    assert.deepEqual(reasons('alllowercase1!', { ...strict, maxLength: 256 }), ['singleCase']);
    assert.deepEqual(reasons('OnlyLetters', { ...strict, requireNumber: false }), ['onlyAlpha']);
    assert.deepEqual(reasons('NoNumbers!', strict), ['requireNumber']);
    assert.deepEqual(reasons('abc', strict), ['tooShort', 'singleCase', 'onlyAlpha', 'requireNumber']);
  });

  it('counts characters, not UTF-16 units, and knows letters beyond ASCII', () => {
    assert.deepEqual(reasons('🔑🔑🔑🔑🔑🔑🔑', lenient), ['tooShort']);
    assert.deepEqual(reasons('Ünïcödé1!', strict), []);
  });
});
