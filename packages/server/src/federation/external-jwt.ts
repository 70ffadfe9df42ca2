/**
 * Verification of the JWT an application hands to an ExternalJWT provider (FusionAuth's Reconcile API and
 * `/api/identity-provider/login` with `encodedJWT`; security checklist §3.7 SEC-04, §3.5 SSRF-04):
 *
 * - The key is the configured `keys` entry named by the header member `headerKeyParameter` (`kid`, `x5t`),
 *   else `defaultKeyId` (else the `""` entry) when the header lacks that member; failing those, the
 *   provider's `jwksURL` (Gatehouse extension) through UpstreamKeys. `jku`, `x5u` and `x5c` are never read.
 * - Asymmetric algorithms only, pinned to the key's type (an RSA key cannot verify HS256 with its PEM as
 *   the secret); never `none`.
 * - `exp` is required; `exp`, `nbf` and `iat` are checked with a 60 s clock tolerance. There is no issuer or
 *   audience to check: the provider's keys are what ties the token to it.
 *
 * Errors carry a `reason` and never the token or its claims' values.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type ProtectedHeaderParameters } from 'jose';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import type { UpstreamIdentity } from './linking-strategy.ts';
import { UpstreamError } from './upstream-http.ts';
import type { UpstreamKeys } from './upstream-keys.ts';

export type ExternalJwtErrorReason =
  | 'malformed'
  | 'unknown_key'
  | 'invalid_signature'
  | 'disallowed_algorithm'
  | 'expired'
  | 'not_yet_valid'
  | 'missing_unique_id'
  | 'unmanaged_domain'
  | 'keys_unavailable';

export class ExternalJwtError extends Error {
  readonly reason: ExternalJwtErrorReason;

  constructor(reason: ExternalJwtErrorReason, message: string, cause?: unknown) {
    super(`External JWT refused: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'ExternalJwtError';
    this.reason = reason;
  }
}

/** What a verified token yields: the identity to link, all its claims, and what its claimMap sets on the user. */
export interface ExternalJwtIdentity {
  readonly identity: UpstreamIdentity;
  readonly claims: Record<string, unknown>;
  /** claimMap targets that are user fields (firstName, birthDate, …), the claim values as strings. */
  readonly userFields: Readonly<Record<string, string>>;
  /** claimMap target `UserData`: claim name → value, for user.data. */
  readonly userData: Readonly<Record<string, unknown>>;
  /** claimMap target `RegistrationData`: claim name → value, for registration.data. */
  readonly registrationData: Readonly<Record<string, unknown>>;
}

export interface ExternalJwtOptions {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Needed only when the provider has a jwksURL. */
  readonly keys?: UpstreamKeys;
}

const clockToleranceSec = 60;
/** Far above any real token; bounds the work an oversized body can cause. */
const maxTokenLength = 64 * 1024;

const asymmetricAlgorithms: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const curveAlgorithms: Readonly<Record<string, string>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** The FusionAuth user fields a claimMap may name (besides UserData and RegistrationData). */
const userFieldNames: ReadonlySet<string> = new Set(['birthDate', 'email', 'firstName', 'fullName', 'imageUrl', 'lastName', 'middleName', 'mobilePhone', 'timezone', 'username']);

/** RFC 8725 §3.1: the algorithms a key may verify, from its own type, never from the token. */
function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const algorithm = curveAlgorithms[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return algorithm === undefined ? [] : [algorithm];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}

function readPem(pem: string): KeyObject {
  try {
    return /-----BEGIN CERTIFICATE-----/.test(pem) ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch (error) {
    throw new ExternalJwtError('keys_unavailable', 'a configured key cannot be read', error);
  }
}

const stringSetting = (object: unknown, member: string): string | undefined => {
  const value = typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[member] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** The configured PEM for this header, or undefined when the header names none of them. */
function configuredPem(settings: Readonly<Record<string, unknown>>, header: ProtectedHeaderParameters): string | undefined {
  const keys = (settings['keys'] ?? {}) as Record<string, unknown>;
  const parameter = stringSetting(settings, 'headerKeyParameter') ?? 'kid';
  const named = header[parameter];
  if (named !== undefined && typeof named !== 'string') throw new ExternalJwtError('malformed', `the ${parameter} header is not a string`);
  // The header value is an opaque lookup key (SEC-04): own members only, so `__proto__` and the like name nothing.
  const id = named ?? stringSetting(settings, 'defaultKeyId') ?? '';
  const pem = Object.hasOwn(keys, id) ? keys[id] : undefined;
  return typeof pem === 'string' ? pem : undefined;
}

/** The key, and the algorithms it may verify, for this token. */
function selectKey(settings: Readonly<Record<string, unknown>>, header: ProtectedHeaderParameters, options: ExternalJwtOptions): { key: KeyObject | JWTVerifyGetKey; algorithms: string[] } {
  const pem = configuredPem(settings, header);
  if (pem !== undefined) {
    const key = readPem(pem);
    const algorithms = algorithmsFor(key);
    if (!algorithms.includes(String(header.alg))) throw new ExternalJwtError('disallowed_algorithm', 'the signing algorithm does not fit the key');
    return { key, algorithms };
  }
  const jwksURL = stringSetting(settings, 'jwksURL');
  if (jwksURL === undefined) throw new ExternalJwtError('unknown_key', 'no configured key fits the token');
  if (options.keys === undefined) throw new ExternalJwtError('keys_unavailable', 'the key set at jwksURL cannot be fetched here');
  // jose's JWKS lookup matches the key's kty/crv/alg to the token's alg, and never takes a secret key.
  return { key: options.keys.resolver(jwksURL), algorithms: [...asymmetricAlgorithms] };
}

function fromVerifyError(error: unknown): ExternalJwtError {
  if (error instanceof ExternalJwtError) return error;
  if (error instanceof UpstreamError) return new ExternalJwtError('keys_unavailable', `the key set at jwksURL could not be fetched (${error.kind})`, error);
  // jose's claim errors hold the payload: none of them becomes a cause.
  if (error instanceof errors.JWTExpired) return new ExternalJwtError('expired', 'exp is past');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'check_failed' && (error.claim === 'nbf' || error.claim === 'iat')) return new ExternalJwtError('not_yet_valid', `${error.claim} is in the future`);
    return new ExternalJwtError('malformed', `the ${error.claim} claim is missing or invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new ExternalJwtError('disallowed_algorithm', 'the signing algorithm is not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new ExternalJwtError('invalid_signature', 'the signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return new ExternalJwtError('unknown_key', 'no key of the key set fits the token');
  if (error instanceof errors.JWKSMultipleMatchingKeys) return new ExternalJwtError('unknown_key', 'several keys of the key set fit the token, which names none');
  if (error instanceof errors.JWKSInvalid) return new ExternalJwtError('keys_unavailable', 'the key set at jwksURL is invalid');
  return new ExternalJwtError('malformed', 'the token is not a valid signed JWT');
}

/** A claim's value as text: strings as they are, numbers (numeric ids) written out; anything else is absent. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** email_verified as upstreams send it: a boolean or the strings "true"/"false"; anything else is absent. */
function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** oauth2.uniqueIdClaim, unless it is the default `sub` and the deprecated uniqueIdentityClaim names another. */
function uniqueIdClaimOf(settings: Readonly<Record<string, unknown>>): string {
  const configured = stringSetting(settings['oauth2'], 'uniqueIdClaim');
  if (configured !== undefined && configured !== 'sub') return configured;
  return stringSetting(settings, 'uniqueIdentityClaim') ?? 'sub';
}

function identityOf(settings: Readonly<Record<string, unknown>>, claims: JWTPayload): UpstreamIdentity {
  const oauth2 = settings['oauth2'];
  const claim = (member: string, fallback: string): unknown => claims[stringSetting(oauth2, member) ?? fallback];
  const identityProviderUserId = text(claims[uniqueIdClaimOf(settings)]);
  if (identityProviderUserId === undefined) throw new ExternalJwtError('missing_unique_id', 'the unique id claim is missing');
  const email = typeof claim('emailClaim', 'email') === 'string' ? text(claim('emailClaim', 'email')) : undefined;
  const username = typeof claim('usernameClaim', 'preferred_username') === 'string' ? text(claim('usernameClaim', 'preferred_username')) : undefined;
  const emailVerified = flag(claim('emailVerifiedClaim', 'email_verified'));
  const domains = Array.isArray(settings['domains']) ? (settings['domains'] as unknown[]) : [];
  if (email !== undefined && domains.length > 0 && !domains.includes(email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase())) {
    throw new ExternalJwtError('unmanaged_domain', 'the email domain is not managed by the identity provider');
  }
  return { identityProviderUserId, email, emailVerified, username, displayName: email ?? username ?? identityProviderUserId };
}

function mapClaims(settings: Readonly<Record<string, unknown>>, claims: JWTPayload): Pick<ExternalJwtIdentity, 'userFields' | 'userData' | 'registrationData'> {
  const userFields: Record<string, string> = {};
  const userData: Record<string, unknown> = {};
  const registrationData: Record<string, unknown> = {};
  for (const [claim, target] of Object.entries((settings['claimMap'] ?? {}) as Record<string, unknown>)) {
    if (!Object.hasOwn(claims, claim) || claims[claim] === null) continue;
    if (target === 'UserData') userData[claim] = claims[claim];
    else if (target === 'RegistrationData') registrationData[claim] = claims[claim];
    else if (typeof target === 'string' && userFieldNames.has(target)) {
      const value = typeof claims[claim] === 'boolean' ? String(claims[claim]) : text(claims[claim]);
      if (value !== undefined) userFields[target] = value;
    }
  }
  return { userFields, userData, registrationData };
}

/**
 * Verifies `encodedJWT` for an ExternalJWT provider and resolves its identity through the provider's claim
 * names and claimMap; throws ExternalJwtError (the API answers 401) when the token is not the provider's,
 * not valid now, has no unique id, or carries an email of a domain the provider does not manage.
 */
export async function verifyExternalJwt(provider: IdentityProvider, encodedJWT: string, options: ExternalJwtOptions): Promise<ExternalJwtIdentity> {
  const settings = provider.settings;
  if (typeof encodedJWT !== 'string' || encodedJWT.length > maxTokenLength) throw new ExternalJwtError('malformed', 'the token is not a valid signed JWT');
  let claims: JWTPayload;
  try {
    const header = decodeProtectedHeader(encodedJWT);
    if (typeof header.alg !== 'string' || !asymmetricAlgorithms.includes(header.alg)) throw new ExternalJwtError('disallowed_algorithm', 'the signing algorithm is not allowed');
    const { key, algorithms } = selectKey(settings, header, options);
    const verifyOptions = { algorithms, clockTolerance: clockToleranceSec, currentDate: new Date(options.now), requiredClaims: ['exp'] };
    const verified = typeof key === 'function' ? await jwtVerify(encodedJWT, key, verifyOptions) : await jwtVerify(encodedJWT, key, verifyOptions);
    claims = verified.payload;
  } catch (error) {
    throw fromVerifyError(error);
  }
  // jose checks iat only against a maximum age; a token issued in the future is not valid yet either.
  if (typeof claims.iat === 'number' && claims.iat > Math.floor(options.now / 1000) + clockToleranceSec) throw new ExternalJwtError('not_yet_valid', 'iat is in the future');
  return { identity: identityOf(settings, claims), claims: { ...claims }, ...mapClaims(settings, claims) };
}
