import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthError } from '../errors/oauth-error.ts';
import { codeChallengeFor, isPkceValue, requirePkcePolicy, verifyCodeVerifier } from './pkce.ts';

/** RFC 7636 Appendix B. */
const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof OAuthError);
    assert.equal(error.error, 'invalid_grant');
    return error.reason;
  }
  return undefined;
}

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 Appendix B', () => {
    assert.equal(codeChallengeFor(verifier, 'S256'), challenge);
    assert.equal(codeChallengeFor(verifier, 'plain'), verifier);
  });

  it('accepts 43 to 128 unreserved characters only', () => {
    assert.ok(isPkceValue('a'.repeat(43)) && isPkceValue('a'.repeat(128)) && isPkceValue(`${'a'.repeat(40)}-._~`));
    for (const value of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(43)}+`, `${'a'.repeat(43)}=`, `${'a'.repeat(43)} `, `${'a'.repeat(43)}é`]) assert.equal(isPkceValue(value), false, value);
  });

  it('verifies a verifier against the code, and refuses the downgrade', () => {
    assert.equal(verifyCodeVerifier({ codeChallenge: challenge, codeChallengeMethod: 'S256' }, verifier), true);
    assert.equal(verifyCodeVerifier({ codeChallenge: verifier, codeChallengeMethod: undefined }, verifier), true, 'no method means plain (RFC 7636 §4.3)');
    assert.equal(verifyCodeVerifier({ codeChallenge: undefined, codeChallengeMethod: undefined }, undefined), false);
    assert.equal(reasonOf(() => verifyCodeVerifier({ codeChallenge: undefined, codeChallengeMethod: undefined }, verifier)), 'invalid_pkce_code_verifier');
    assert.equal(reasonOf(() => verifyCodeVerifier({ codeChallenge: challenge, codeChallengeMethod: 'S256' }, undefined)), 'missing_code_verifier');
    assert.equal(reasonOf(() => verifyCodeVerifier({ codeChallenge: challenge, codeChallengeMethod: 'S256' }, challenge)), 'invalid_pkce_code_verifier');
    assert.equal(reasonOf(() => verifyCodeVerifier({ codeChallenge: challenge, codeChallengeMethod: 'plain' }, verifier)), 'invalid_pkce_code_verifier');
  });

  it('applies the proofKeyForCodeExchangePolicy', () => {
    assert.equal(reasonOf(() => requirePkcePolicy('Required', true, false)), 'missing_code_verifier');
    assert.equal(reasonOf(() => requirePkcePolicy('NotRequiredWhenUsingClientAuthentication', false, false)), 'missing_code_verifier');
    assert.equal(reasonOf(() => requirePkcePolicy('NotRequiredWhenUsingClientAuthentication', true, false)), undefined);
    assert.equal(reasonOf(() => requirePkcePolicy('NotRequired', false, false)), undefined);
    assert.equal(reasonOf(() => requirePkcePolicy('Required', false, true)), undefined);
  });
});
