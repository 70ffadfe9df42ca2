import { createHmac, sign, type KeyObject } from 'node:crypto';
import { keyAlgorithms, type KeyAlgorithm } from '../../keys/key-algorithms.ts';

/** A private (or, for HMAC, secret) key ready to sign, named by the kid it publishes under. */
export interface JwsSigner {
  readonly kid: string;
  readonly algorithm: KeyAlgorithm;
  readonly key: KeyObject;
}

function base64url(json: unknown): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/**
 * A JWS in compact serialization (RFC 7515 §7.1), signed synchronously with node:crypto. Every token
 * Gatehouse issues goes through here: an ES256 signature takes tens of microseconds on the event loop,
 * where WebCrypto would queue a job on libuv's thread pool behind the password hashes of concurrent
 * logins. ECDSA signatures are in the JOSE form (r || s, RFC 7518 §3.4), not DER.
 */
export function signCompactJws(signer: JwsSigner, header: Readonly<Record<string, unknown>>, payload: unknown): string {
  const signingInput = `${base64url({ ...header, alg: signer.algorithm, kid: signer.kid })}.${base64url(payload)}`;
  const spec = keyAlgorithms[signer.algorithm];
  const signature =
    spec.type === 'HMAC'
      ? createHmac(spec.hash!, signer.key).update(signingInput).digest()
      : sign(spec.hash ?? null, Buffer.from(signingInput), { key: signer.key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
