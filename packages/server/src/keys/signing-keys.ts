import { randomUUID } from 'node:crypto';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Repositories } from '../store/repositories/index.ts';
import type { SigningKeyRecord } from '../store/repositories/signing-key-repository.ts';
import type { Store } from '../store/store.ts';
import type { KeyRing, SealContext } from './key-ring.ts';
import { generateSigningKeyMaterial, type SigningAlgorithm } from './signing-key-material.ts';

export interface ActiveSigningKey {
  readonly kid: string;
  readonly algorithm: SigningAlgorithm;
  readonly key: CryptoKey | Uint8Array;
}

export interface SigningKeysOptions {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly now?: () => number;
  /** How long a node serves its cached JWKS before re-reading it (another node may have rotated). */
  readonly jwksTtlMs?: number;
}

function privateContext(id: string): SealContext {
  return { table: 'signing_keys', row: id, column: 'private_sealed' };
}

/** Creates a signing key inside the caller's transaction, its private part sealed. */
export async function insertSigningKey(
  repositories: Repositories,
  keyRing: KeyRing,
  algorithm: SigningAlgorithm,
  instant: number,
): Promise<SigningKeyRecord> {
  const material = await generateSigningKeyMaterial(algorithm);
  const id = randomUUID();
  const record: SigningKeyRecord = {
    id,
    kid: material.kid,
    algorithm,
    name: `${algorithm} key generated ${new Date(instant).toISOString()}`,
    publicJwk: material.publicJwk,
    privateSealed: keyRing.seal(JSON.stringify(material.privateJwk), privateContext(id)),
    insertInstant: instant,
    retiredInstant: undefined,
  };
  await repositories.signingKeys.insert(record);
  return record;
}

/**
 * Signing keys as the rest of the server uses them: the published JWKS (pre-serialized, rebuilt at most
 * every `jwksTtlMs`) and the active private key per algorithm (unsealed once per kid).
 */
export function createSigningKeys(options: SigningKeysOptions) {
  const { store, keyRing } = options;
  const now = options.now ?? Date.now;
  const jwksTtlMs = options.jwksTtlMs ?? 5_000;
  let jwks: { body: string; expires: number } | undefined;
  let jwksLoading: Promise<string> | undefined;
  const unsealed = new Map<string, Promise<ActiveSigningKey>>();

  async function loadJwks(): Promise<string> {
    const records = await store.repositories.signingKeys.listPublished();
    const body = JSON.stringify({ keys: records.map((record) => record.publicJwk) });
    jwks = { body, expires: now() + jwksTtlMs };
    return body;
  }

  async function unseal(record: SigningKeyRecord): Promise<ActiveSigningKey> {
    const jwk = JSON.parse(keyRing.unseal(record.privateSealed, privateContext(record.id)).toString('utf8')) as JWK;
    const algorithm = record.algorithm as SigningAlgorithm;
    return { kid: record.kid, algorithm, key: await importJWK(jwk, algorithm) };
  }

  return {
    /** The JSON text of `{"keys":[...]}`: public members only, old keys kept after rotation. */
    jwks(): Promise<string> {
      if (jwks !== undefined && jwks.expires > now()) return Promise.resolve(jwks.body);
      jwksLoading ??= loadJwks().finally(() => {
        jwksLoading = undefined;
      });
      return jwksLoading;
    },

    /** The key that signs new tokens with `algorithm`, or undefined when there is none. */
    async active(algorithm: SigningAlgorithm): Promise<ActiveSigningKey | undefined> {
      const record = await store.repositories.signingKeys.findActive(algorithm);
      if (record === undefined) return undefined;
      let key = unsealed.get(record.kid);
      if (key === undefined) {
        key = unseal(record);
        unsealed.set(record.kid, key);
        key.catch(() => unsealed.delete(record.kid));
      }
      return key;
    },

    /**
     * Publishes a new key for `algorithm` and retires the previous ones in one transaction. Retired keys
     * stay in the JWKS so tokens they signed still verify.
     */
    async rotate(algorithm: SigningAlgorithm): Promise<SigningKeyRecord> {
      const instant = now();
      const record = await store.transaction(async (repositories) => {
        const created = await insertSigningKey(repositories, keyRing, algorithm, instant);
        await repositories.signingKeys.retireOthers(algorithm, created.id, instant);
        return created;
      });
      jwks = undefined;
      return record;
    },
  };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
