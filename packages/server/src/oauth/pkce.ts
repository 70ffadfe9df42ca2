import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../errors/oauth-error.ts';
import type { ProofKeyForCodeExchangePolicy } from '../tenancy/application-settings.ts';

export type CodeChallengeMethod = 'S256' | 'plain';

/** RFC 7636 §4.1: code_verifier = 43*128unreserved; the challenge has the same grammar (§4.2). */
const verifierSyntax = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Whether a code_verifier or code_challenge is well formed (43 to 128 characters of [A-Za-z0-9-._~]). */
export function isPkceValue(value: string): boolean {
  return verifierSyntax.test(value);
}

/** RFC 7636 §4.2: S256 challenge = BASE64URL(SHA256(ASCII(code_verifier))); plain: the verifier itself. */
export function codeChallengeFor(verifier: string, method: CodeChallengeMethod): string {
  return method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
}

function invalidVerifier(description: string, reason: string): OAuthError {
  return new OAuthError('invalid_grant', description, 400, { reason });
}

/** What the authorization request bound the code to. */
export interface CodeChallenge {
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: CodeChallengeMethod | undefined;
}

/**
 * Checks the token request's code_verifier against the code's challenge (RFC 7636 §4.6) and returns
 * whether PKCE was used. Every mismatch is invalid_grant: a challenge without a verifier, a verifier
 * outside the grammar, a wrong verifier, and a verifier for a code issued without a challenge — the
 * PKCE downgrade of RFC 9700 §2.1.1 (an attacker injecting a code it obtained without PKCE).
 */
export function verifyCodeVerifier(code: CodeChallenge, verifier: string | undefined): boolean {
  if (code.codeChallenge === undefined) {
    if (verifier !== undefined) throw invalidVerifier('The code was issued without a code_challenge: a code_verifier cannot be used with it.', 'invalid_pkce_code_verifier');
    return false;
  }
  if (verifier === undefined) throw invalidVerifier('The code_verifier parameter is required: the authorization request sent a code_challenge.', 'missing_code_verifier');
  if (!isPkceValue(verifier)) throw invalidVerifier('The code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_", "~".', 'invalid_pkce_code_verifier');
  const expected = Buffer.from(code.codeChallenge, 'ascii');
  const actual = Buffer.from(codeChallengeFor(verifier, code.codeChallengeMethod ?? 'plain'), 'ascii');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw invalidVerifier('The code_verifier does not match the code_challenge of the authorization request.', 'invalid_pkce_code_verifier');
  }
  return true;
}

/**
 * The application's proofKeyForCodeExchangePolicy at the token endpoint (FusionAuth): `Required` always
 * wants a verified code_verifier, `NotRequiredWhenUsingClientAuthentication` unless the client
 * authenticated with its secret, `NotRequired` never (a code bound to a challenge still needs its
 * verifier: see verifyCodeVerifier).
 */
export function requirePkcePolicy(policy: ProofKeyForCodeExchangePolicy, clientAuthenticated: boolean, usedPkce: boolean): void {
  if (usedPkce || policy === 'NotRequired' || (policy === 'NotRequiredWhenUsingClientAuthentication' && clientAuthenticated)) return;
  throw new OAuthError('invalid_grant', 'This application requires PKCE: the code must be requested with a code_challenge and redeemed with its code_verifier.', 400, {
    reason: 'missing_code_verifier',
  });
}
