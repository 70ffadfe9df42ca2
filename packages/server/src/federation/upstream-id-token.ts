/**
 * Validation of an ID token issued by an upstream OpenID provider (OIDC Core §3.1.3.7; security
 * checklist §3.1 BRK-03/BRK-04, §3.2 BRK-06, §3.7 SEC-04):
 * signature with a key of the upstream's own `jwks_uri` (asymmetric algorithms only: never `none`,
 * never HS*), `iss` equal to the configured issuer (or, for a Microsoft Entra multi-tenant provider, the
 * issuer its own `tid` calls for), `aud` containing the client id (and `azp` equal to it when there are
 * several audiences), `exp`/`iat`/`nbf` with a clock tolerance, `nonce` equal to the one sent, `sub`
 * present, and `auth_time` recent enough when a max age was asked for.
 * Errors carry a `reason` and never the token or its claims' values.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { timingSafeEqual } from 'node:crypto';
import { isEntraIssuerValid } from './microsoft-entra.ts';
import { UpstreamError } from './upstream-http.ts';

export const upstreamIdTokenAlgorithms: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'EdDSA'];

export type UpstreamTokenErrorReason =
  | 'malformed'
  | 'disallowed_algorithm'
  | 'invalid_signature'
  | 'unknown_key'
  | 'keys_unavailable'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_authorized_party'
  | 'expired'
  | 'not_yet_valid'
  | 'nonce_mismatch'
  | 'missing_subject'
  | 'auth_too_old'
  | 'invalid_claims';

export class UpstreamTokenError extends Error {
  readonly reason: UpstreamTokenErrorReason;

  constructor(reason: UpstreamTokenErrorReason, message: string, cause?: unknown) {
    super(`Upstream ID token refused: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'UpstreamTokenError';
    this.reason = reason;
  }
}

export interface UpstreamIdTokenOptions {
  /** The configured issuer (for a multi-tenant Entra provider, its `common`/`organizations`/`consumers` issuer). */
  readonly issuer: string;
  /** Other spellings of the issuer the provider is documented to use (Google: `accounts.google.com`). */
  readonly alternativeIssuers?: readonly string[];
  readonly clientId: string;
  /**
   * The nonce sent with the authorization request. Undefined only when Gatehouse did not start the
   * request (the Complete-the-Login API, where the application did and may not say its nonce).
   */
  readonly nonce: string | undefined;
  /** The upstream's keys, e.g. `upstreamKeys.resolver(metadata.jwks_uri)`. */
  readonly keys: JWTVerifyGetKey;
  readonly now?: () => number;
  /** A Microsoft Entra multi-tenant provider: `iss` must be the one the token's `tid` calls for. */
  readonly multiTenant?: boolean;
  readonly clockToleranceSec?: number;
  /** The `max_age` sent: `auth_time` is then required and must be at most this old. */
  readonly maxAgeSec?: number;
}

export async function validateUpstreamIdToken(token: string, options: UpstreamIdTokenOptions): Promise<JWTPayload> {
  const { issuer, clientId, nonce, keys, now = Date.now, multiTenant = false, clockToleranceSec = 60, maxAgeSec } = options;
  const currentDate = new Date(now());
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: [...upstreamIdTokenAlgorithms],
      audience: clientId,
      ...(multiTenant ? {} : { issuer: [issuer, ...(options.alternativeIssuers ?? [])] }),
      clockTolerance: clockToleranceSec,
      currentDate,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    }));
  } catch (error) {
    throw fromVerifyError(error);
  }

  if (multiTenant && !isEntraIssuerValid(payload)) throw new UpstreamTokenError('wrong_issuer', 'iss is not the issuer of the token’s tenant');
  const nowSec = Math.floor(currentDate.getTime() / 1000);
  if (typeof payload.iat !== 'number' || payload.iat > nowSec + clockToleranceSec) throw new UpstreamTokenError('not_yet_valid', 'iat is in the future');
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const azp = payload['azp'];
  if ((audiences.length > 1 || azp !== undefined) && azp !== clientId) {
    throw new UpstreamTokenError('wrong_authorized_party', 'azp is not the client id');
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new UpstreamTokenError('missing_subject', 'sub is missing');
  const tokenNonce = payload['nonce'];
  if (nonce !== undefined && (typeof tokenNonce !== 'string' || !sameString(tokenNonce, nonce))) throw new UpstreamTokenError('nonce_mismatch', 'nonce does not match the one sent');
  if (maxAgeSec !== undefined) {
    const authTime = payload['auth_time'];
    if (typeof authTime !== 'number') throw new UpstreamTokenError('auth_too_old', 'auth_time is missing though max_age was sent');
    if (authTime + maxAgeSec + clockToleranceSec < nowSec) throw new UpstreamTokenError('auth_too_old', 'the authentication is older than max_age');
  }
  return payload;
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function fromVerifyError(error: unknown): UpstreamTokenError {
  if (error instanceof UpstreamTokenError) return error;
  if (error instanceof UpstreamError) return new UpstreamTokenError('keys_unavailable', `the upstream keys could not be fetched (${error.kind})`, error);
  if (error instanceof errors.JWTExpired) return new UpstreamTokenError('expired', 'exp is past');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return new UpstreamTokenError('wrong_issuer', 'iss is not the configured issuer');
      case 'aud':
        return new UpstreamTokenError('wrong_audience', 'aud does not contain the client id');
      case 'nbf':
        return new UpstreamTokenError('not_yet_valid', 'nbf is in the future');
      case 'iat':
        return new UpstreamTokenError('not_yet_valid', 'iat is invalid');
      case 'sub':
        return new UpstreamTokenError('missing_subject', 'sub is missing');
      default:
        return new UpstreamTokenError('invalid_claims', `the ${error.claim} claim is missing or invalid`);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new UpstreamTokenError('disallowed_algorithm', 'the signing algorithm is not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new UpstreamTokenError('invalid_signature', 'the signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return new UpstreamTokenError('unknown_key', 'no key of the upstream fits the token');
  if (error instanceof errors.JWKSInvalid) return new UpstreamTokenError('keys_unavailable', 'the upstream key set is invalid');
  if (error instanceof errors.JOSENotSupported || error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new UpstreamTokenError('malformed', 'the token is not a valid signed JWT');
  }
  return new UpstreamTokenError('malformed', 'the token could not be verified');
}
