import { createPrivateKey, createPublicKey, randomBytes, randomUUID, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { FieldErrors } from '../errors/api-error.ts';
import { keyAlgorithms, maxImportedRsaLength, rsaLengths, type KeyAlgorithm } from './key-algorithms.ts';

/** What an administrator hands Key Master, already schema-checked (strings, sizes). */
export interface KeyImportInput {
  readonly algorithm?: KeyAlgorithm | undefined;
  readonly kid?: string | undefined;
  readonly publicKey?: string | undefined;
  readonly privateKey?: string | undefined;
  readonly certificate?: string | undefined;
  readonly secret?: string | undefined;
}

export interface ImportedKeyMaterial {
  readonly kid: string;
  readonly algorithm: KeyAlgorithm;
  readonly publicJwk: JWK | undefined;
  /** Absent for a verification-only key (a public key or certificate alone). */
  readonly privateJwk: JWK | undefined;
  readonly certificate: string | undefined;
}

const curveAlgorithms: Readonly<Record<string, KeyAlgorithm>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * Reads a PEM (SPKI, PKCS#1, PKCS#8, SEC1) or a JWK given as JSON text. Parse failures are answered
 * with the field only: node's messages may quote the input.
 */
function parseKey(text: string, kind: 'public' | 'private'): KeyObject | undefined {
  const trimmed = text.trim();
  // A private key pasted into publicKey would parse (node derives the public half), but it says the
  // caller mixed the fields up, and the private part must not be silently accepted there.
  if (kind === 'public' && (/PRIVATE KEY/.test(trimmed) || /"d"\s*:/.test(trimmed))) return undefined;
  try {
    const source = trimmed.startsWith('{') ? { key: JSON.parse(trimmed) as JWK, format: 'jwk' as const } : trimmed;
    const key = kind === 'public' ? createPublicKey(source) : createPrivateKey(source);
    return key.type === kind ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The JOSE algorithm a key can sign with, or undefined for a key type Key Master does not take. */
function algorithmsFor(key: KeyObject): KeyAlgorithm[] {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const algorithm = curveAlgorithms[details.namedCurve ?? ''];
      return algorithm === undefined ? [] : [algorithm];
    }
    case 'rsa':
      return ['RS256', 'RS384', 'RS512'];
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

/** Signs a random probe with the private key and verifies it with the public one: the pair belongs together. */
function pairMatches(algorithm: KeyAlgorithm, privateKey: KeyObject, publicKey: KeyObject): boolean {
  const probe = randomBytes(32);
  const hash = keyAlgorithms[algorithm].hash ?? null;
  try {
    return verify(hash, probe, publicKey, sign(hash, probe, privateKey));
  } catch {
    return false;
  }
}

function importSecret(input: KeyImportInput, errors: FieldErrors): ImportedKeyMaterial {
  const algorithm = input.algorithm ?? 'HS256';
  const spec = keyAlgorithms[algorithm];
  if (spec.type !== 'HMAC') errors.add('key.algorithm', 'invalid', 'A secret imports as an HMAC key: use HS256, HS384 or HS512.');
  if (input.publicKey !== undefined || input.privateKey !== undefined || input.certificate !== undefined) {
    errors.add('key.secret', 'invalid', 'Send either an HMAC secret or asymmetric key parts, not both.');
  }
  const secret = Buffer.from(input.secret ?? '', 'utf8');
  const minimumBytes = (spec.bits ?? 256) / 8;
  if (spec.type === 'HMAC' && secret.length < minimumBytes) {
    errors.add('key.secret', 'tooShort', `An ${algorithm} secret must be at least ${minimumBytes} bytes (RFC 7518 §3.2).`);
  }
  errors.throwIfAny();
  return { kid: input.kid ?? randomUUID(), algorithm, publicJwk: undefined, privateJwk: { kty: 'oct', k: secret.toString('base64url') }, certificate: undefined };
}

/**
 * Turns imported PEM/JWK text into key material, or throws field errors. Every part given must describe
 * the same key; a private key must sign what its public key verifies.
 */
export async function importKeyMaterial(input: KeyImportInput): Promise<ImportedKeyMaterial> {
  const errors = new FieldErrors();
  if (input.secret !== undefined) return importSecret(input, errors);

  const privateKey = input.privateKey === undefined ? undefined : parseKey(input.privateKey, 'private');
  if (input.privateKey !== undefined && privateKey === undefined) errors.add('key.privateKey', 'invalid', 'The private key is not a readable PEM (PKCS#8, PKCS#1, SEC1) or JWK.');
  const publicKey = input.publicKey === undefined ? undefined : parseKey(input.publicKey, 'public');
  if (input.publicKey !== undefined && publicKey === undefined) errors.add('key.publicKey', 'invalid', 'The public key is not a readable PEM (SPKI, PKCS#1) or JWK.');
  let certificateKey: KeyObject | undefined;
  if (input.certificate !== undefined) {
    try {
      certificateKey = new X509Certificate(input.certificate).publicKey;
    } catch {
      errors.add('key.certificate', 'invalid', 'The certificate is not a readable X.509 PEM.');
    }
  }
  if (input.privateKey === undefined && input.publicKey === undefined && input.certificate === undefined) {
    errors.add('key.publicKey', 'blank', 'Import a publicKey, a privateKey, a certificate or an HMAC secret.');
  }
  errors.throwIfAny();

  const derived = privateKey === undefined ? undefined : createPublicKey(privateKey);
  const resolved = (publicKey ?? certificateKey ?? derived) as KeyObject;
  if (certificateKey !== undefined && !sameKey(certificateKey, resolved)) errors.add('key.certificate', 'mismatch', 'The certificate holds another public key.');
  if (derived !== undefined && publicKey !== undefined && !sameKey(derived, publicKey)) errors.add('key.publicKey', 'mismatch', 'The public key does not belong to the private key.');
  errors.throwIfAny();

  const supported = algorithmsFor(resolved);
  if (supported.length === 0) errors.add('key.publicKey', 'invalid', 'Key Master takes EC (P-256, P-384, P-521), RSA and Ed25519 keys.');
  const algorithm = input.algorithm ?? supported[0];
  if (algorithm !== undefined && supported.length > 0 && !supported.includes(algorithm)) {
    errors.add('key.algorithm', 'invalid', `This key signs with ${supported.join(', ')}, not ${algorithm}.`);
  }
  const modulusLength = resolved.asymmetricKeyDetails?.modulusLength;
  if (modulusLength !== undefined && (modulusLength < rsaLengths[0] || modulusLength > maxImportedRsaLength)) {
    errors.add('key.publicKey', 'invalid', `RSA keys must be ${rsaLengths[0]} to ${maxImportedRsaLength} bits.`);
  }
  errors.throwIfAny();
  const chosen = algorithm as KeyAlgorithm;
  if (privateKey !== undefined && !pairMatches(chosen, privateKey, resolved)) {
    errors.add('key.privateKey', 'mismatch', 'The private key does not sign what the public key verifies.');
    errors.throwIfAny();
  }

  const { kty, crv, x, y, n, e } = resolved.export({ format: 'jwk' });
  const bare = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, value]) => value !== undefined)) as JWK;
  const kid = input.kid ?? (await calculateJwkThumbprint(bare));
  return {
    kid,
    algorithm: chosen,
    publicJwk: { ...bare, kid, alg: chosen, use: 'sig' },
    privateJwk: privateKey?.export({ format: 'jwk' }) as JWK | undefined,
    certificate: input.certificate?.trim(),
  };
}
