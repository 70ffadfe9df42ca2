import { randomBytes, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { keyAlgorithms, type KeyAlgorithm } from './key-algorithms.ts';

/** The algorithms Gatehouse rotates by itself (`./gatehouse rotate-signing-key`); Key Master manages more. */
export const signingAlgorithmNames = ['ES256', 'RS256', 'EdDSA', 'HS256'] as const;
export type SigningAlgorithm = (typeof signingAlgorithmNames)[number];

export interface SigningKeyMaterial<A extends KeyAlgorithm = SigningAlgorithm> {
  readonly kid: string;
  readonly algorithm: A;
  /** What the JWKS publishes; absent for HMAC keys, which are never published. */
  readonly publicJwk: JWK | undefined;
  /** The private JWK (kty oct for HMAC): sealed before it touches the store. */
  readonly privateJwk: JWK;
}

export interface GenerateOptions {
  /** RSA modulus size in bits; 2048 when absent. */
  readonly rsaLength?: number | undefined;
}

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (signingAlgorithmNames as readonly string[]).includes(value);
}

/** Creates a fresh key. The kid of an asymmetric key is its RFC 7638 thumbprint: stable and unique. */
export async function generateSigningKeyMaterial<A extends KeyAlgorithm>(algorithm: A, options: GenerateOptions = {}): Promise<SigningKeyMaterial<A>> {
  const spec = keyAlgorithms[algorithm];
  if (spec.type === 'HMAC') {
    const privateJwk: JWK = { kty: 'oct', k: randomBytes((spec.bits ?? 256) / 8).toString('base64url') };
    return { kid: randomUUID(), algorithm, publicJwk: undefined, privateJwk };
  }
  const keyOptions =
    spec.type === 'OKP' ? { crv: 'Ed25519', extractable: true } : spec.type === 'RSA' ? { modulusLength: options.rsaLength ?? 2048, extractable: true } : { extractable: true };
  const { publicKey, privateKey } = await generateKeyPair(algorithm, keyOptions);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    algorithm,
    publicJwk: { ...publicJwk, kid, alg: algorithm, use: 'sig' },
    privateJwk: await exportJWK(privateKey),
  };
}
