import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';

/** Every algorithm Key Master manages. JOSE names; FusionAuth calls EdDSA `Ed25519` on the wire. */
export const keyAlgorithmNames = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'HS256', 'HS384', 'HS512'] as const;
export type KeyAlgorithm = (typeof keyAlgorithmNames)[number];

/** FusionAuth's key types: `OKP` for Ed25519. */
export type KeyType = 'EC' | 'RSA' | 'OKP' | 'HMAC';

export interface AlgorithmSpec {
  readonly type: KeyType;
  /** The JWK `crv` of EC and OKP keys. */
  readonly curve?: 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
  /** Digest for node:crypto sign/verify; undefined for Ed25519, which hashes internally. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | undefined;
  /** EC: curve size in bits. HMAC: the smallest secret in bits, the hash size (RFC 7518 §3.2 MUST). */
  readonly bits?: number;
}

export const keyAlgorithms: Readonly<Record<KeyAlgorithm, AlgorithmSpec>> = {
  ES256: { type: 'EC', curve: 'P-256', hash: 'sha256', bits: 256 },
  ES384: { type: 'EC', curve: 'P-384', hash: 'sha384', bits: 384 },
  ES512: { type: 'EC', curve: 'P-521', hash: 'sha512', bits: 521 },
  RS256: { type: 'RSA', hash: 'sha256' },
  RS384: { type: 'RSA', hash: 'sha384' },
  RS512: { type: 'RSA', hash: 'sha512' },
  EdDSA: { type: 'OKP', curve: 'Ed25519', hash: undefined },
  HS256: { type: 'HMAC', hash: 'sha256', bits: 256 },
  HS384: { type: 'HMAC', hash: 'sha384', bits: 384 },
  HS512: { type: 'HMAC', hash: 'sha512', bits: 512 },
};

/** RSA sizes Key Master generates; imports may be anything in between the first and the last. */
export const rsaLengths = [2048, 3072, 4096] as const;
export const maxImportedRsaLength = 8192;

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === 'string' && (keyAlgorithmNames as readonly string[]).includes(value);
}

/** The name FusionAuth's clients send and expect (`Ed25519`); Gatehouse's own `EdDSA` is accepted too. */
export function apiAlgorithmName(algorithm: string): string {
  return algorithm === 'EdDSA' ? 'Ed25519' : algorithm;
}

export function fromApiAlgorithmName(name: string): KeyAlgorithm | undefined {
  const algorithm = name === 'Ed25519' ? 'EdDSA' : name;
  return isKeyAlgorithm(algorithm) ? algorithm : undefined;
}

/** The SPKI PEM of a public JWK (FusionAuth's `publicKey` form). */
export function publicJwkToPem(jwk: Readonly<Record<string, unknown>>): string {
  const { kty, crv, x, y, n, e } = jwk as JWK;
  const members = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, value]) => value !== undefined));
  return createPublicKey({ key: members, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

/** Key size in bits as FusionAuth reports `length`: RSA modulus, EC curve; undefined otherwise. */
export function publicKeyLength(algorithm: string, jwk: Readonly<Record<string, unknown>> | undefined): number | undefined {
  const spec = isKeyAlgorithm(algorithm) ? keyAlgorithms[algorithm] : undefined;
  if (spec?.type === 'EC') return spec.bits;
  const modulus = jwk?.['n'];
  if (spec?.type === 'RSA' && typeof modulus === 'string') return Buffer.from(modulus, 'base64url').length * 8;
  return undefined;
}
