import { createHmac, createPublicKey, createSecretKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { isKeyAlgorithm, keyAlgorithms, type KeyAlgorithm } from '../../keys/key-algorithms.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import { privateContext, type SigningKeys } from '../../keys/signing-keys.ts';
import type { Store } from '../../store/store.ts';
import { ecdsaPartSize, joseToDer } from './ecdsa-signature.ts';

/** A verified compact JWS: its protected header and its payload, both JSON objects. */
export interface VerifiedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

interface VerificationKey {
  readonly algorithm: KeyAlgorithm;
  readonly key: KeyObject;
}

export interface JwsVerifierDeps {
  readonly signingKeys: SigningKeys;
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly now?: () => number;
  /** How long an HMAC secret stays cached (the JWKS has its own lifetime in SigningKeys). */
  readonly secretTtlMs?: number;
}

const base64urlPart = /^[A-Za-z0-9_-]*$/;

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The public members of a published JWK (a certificate's x5c and friends are not key material). */
function publicKeyOf(jwk: Record<string, unknown>): KeyObject {
  const { kty, crv, x, y, n, e } = jwk;
  const members = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, value]) => value !== undefined));
  return createPublicKey({ key: members as never, format: 'jwk' });
}

function signatureMatches(key: VerificationKey, signingInput: string, signature: Buffer): boolean {
  const spec = keyAlgorithms[key.algorithm];
  if (spec.type === 'HMAC') {
    const expected = createHmac(spec.hash!, key.key).update(signingInput).digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  try {
    // ECDSA signatures are r || s (RFC 7518 §3.4), not DER; the key goes bare (ecdsa-signature.ts says why).
    if (spec.type !== 'EC') return verify(spec.hash ?? null, Buffer.from(signingInput), key.key, signature);
    const der = joseToDer(signature, ecdsaPartSize(spec.bits!));
    return der !== undefined && verify(spec.hash!, Buffer.from(signingInput), key.key, der);
  } catch {
    return false;
  }
}

/**
 * Verifies tokens Gatehouse signed, synchronously with node:crypto (as compact-jws.ts signs them) and
 * with public KeyObjects built once per published JWKS, not once per token. The key is chosen by `kid`
 * and the algorithm is the key's own (RFC 8725 §3.1): `alg: none`, an RSA key used as an HMAC secret or
 * any other algorithm swap fails. HMAC keys are never published; their secret is unsealed by kid and
 * kept for a few seconds. Critical header extensions are refused (RFC 7515 §4.1.11: none is understood).
 */
export function createJwsVerifier(deps: JwsVerifierDeps) {
  const now = deps.now ?? Date.now;
  const secretTtlMs = deps.secretTtlMs ?? 5_000;
  let published: { readonly body: string; readonly keys: ReadonlyMap<string, VerificationKey> } | undefined;
  const secrets = new Map<string, { readonly key: Promise<VerificationKey | undefined>; readonly expires: number }>();

  async function publishedKeys(): Promise<ReadonlyMap<string, VerificationKey>> {
    const body = await deps.signingKeys.jwks();
    if (published?.body !== body) {
      const keys = new Map<string, VerificationKey>();
      for (const jwk of (JSON.parse(body) as { keys: Record<string, unknown>[] }).keys) {
        if (typeof jwk['kid'] === 'string' && isKeyAlgorithm(jwk['alg'])) keys.set(jwk['kid'], { algorithm: jwk['alg'], key: publicKeyOf(jwk) });
      }
      published = { body, keys };
    }
    return published.keys;
  }

  async function loadSecret(kid: string): Promise<VerificationKey | undefined> {
    const record = await deps.store.repositories.signingKeys.findByKid(kid);
    if (record === undefined || record.privateSealed === undefined || !isKeyAlgorithm(record.algorithm) || keyAlgorithms[record.algorithm].type !== 'HMAC') return undefined;
    const jwk = JSON.parse(deps.keyRing.unseal(record.privateSealed, privateContext(record.id)).toString('utf8')) as { k?: string };
    return { algorithm: record.algorithm, key: createSecretKey(Buffer.from(jwk.k ?? '', 'base64url')) };
  }

  /** Only keys that exist are cached, so made-up kids cannot grow the cache. */
  async function secretKey(kid: string): Promise<VerificationKey | undefined> {
    const cached = secrets.get(kid);
    if (cached !== undefined && cached.expires > now()) return cached.key;
    const key = loadSecret(kid);
    const found = await key;
    if (found === undefined) secrets.delete(kid);
    else secrets.set(kid, { key, expires: now() + secretTtlMs });
    return found;
  }

  return {
    /** The header and payload of a token signed by one of Gatehouse's keys; undefined for anything else. */
    async verify(token: string): Promise<VerifiedJws | undefined> {
      const parts = token.split('.');
      if (parts.length !== 3 || !parts.every((part) => base64urlPart.test(part))) return undefined;
      const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
      const header = jsonObject(encodedHeader);
      if (header === undefined || typeof header['kid'] !== 'string' || header['crit'] !== undefined) return undefined;
      const kid = header['kid'];
      const key = (await publishedKeys()).get(kid) ?? (await secretKey(kid));
      if (key === undefined || header['alg'] !== key.algorithm) return undefined;
      if (!signatureMatches(key, `${encodedHeader}.${encodedPayload}`, Buffer.from(encodedSignature, 'base64url'))) return undefined;
      const payload = jsonObject(encodedPayload);
      return payload === undefined ? undefined : { header, payload };
    },
  };
}

export type JwsVerifier = ReturnType<typeof createJwsVerifier>;
