import { randomBytes, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export const signingAlgorithmNames = ['ES256', 'RS256', 'EdDSA', 'HS256'] as const;
export type SigningAlgorithm = (typeof signingAlgorithmNames)[number];

export interface SigningKeyMaterial {
  readonly kid: string;
  readonly algorithm: SigningAlgorithm;
  /** What the JWKS publishes; absent for HMAC keys, which are never published. */
  readonly publicJwk: JWK | undefined;
  /** The private JWK (kty oct for HMAC): sealed before it touches the store. */
  readonly privateJwk: JWK;
}

export function isSigningAlgorithm(value: string): value is SigningAlgorithm {
  return (signingAlgorithmNames as readonly string[]).includes(value);
}

/** Creates a fresh key. The kid of an asymmetric key is its RFC 7638 thumbprint: stable and unique. */
export async function generateSigningKeyMaterial(algorithm: SigningAlgorithm): Promise<SigningKeyMaterial> {
  if (algorithm === 'HS256') {
    const privateJwk: JWK = { kty: 'oct', k: randomBytes(32).toString('base64url') };
    return { kid: randomUUID(), algorithm, publicJwk: undefined, privateJwk };
  }
  const options = algorithm === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true };
  const { publicKey, privateKey } = await generateKeyPair(algorithm, options);
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    kid,
    algorithm,
    publicJwk: { ...publicJwk, kid, alg: algorithm, use: 'sig' },
    privateJwk: await exportJWK(privateKey),
  };
}
