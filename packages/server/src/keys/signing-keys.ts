import { createPrivateKey, createSecretKey, randomUUID, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { JwsSigner } from '../oauth/tokens/compact-jws.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { SigningKeyRecord } from '../store/repositories/signing-key-repository.ts';
import type { Store } from '../store/store.ts';
import { certificateJwkMembers } from './certificate-information.ts';
import { publicJwkToPem, type KeyAlgorithm } from './key-algorithms.ts';
import type { KeyRing, SealContext } from './key-ring.ts';
import { generateSigningKeyMaterial, type SigningAlgorithm } from './signing-key-material.ts';
import { recordEventLog } from '../events/operator-log.ts';

/** A key that signs tokens: a node:crypto KeyObject (see oauth/tokens/compact-jws.ts). */
export type ActiveSigningKey = JwsSigner;

export interface SigningKeysOptions {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly now?: () => number;
  /** How long a node serves its cached JWKS before re-reading it (another node may have rotated). */
  readonly jwksTtlMs?: number;
  /** Signs when no key is assigned (GATEHOUSE_SIGNING_ALGORITHM). */
  readonly defaultAlgorithm?: SigningAlgorithm;
}

/** Where a key's private part is sealed: a sealed value copied to another row does not open. */
export function privateContext(id: string): SealContext {
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
    // Names are unique: the kid tells apart two keys generated in the same millisecond.
    name: `${algorithm} key generated ${new Date(instant).toISOString()} (${material.kid.slice(0, 12)})`,
    publicJwk: material.publicJwk,
    privateSealed: keyRing.seal(JSON.stringify(material.privateJwk), privateContext(id)),
    origin: 'rotation',
    certificate: undefined,
    insertInstant: instant,
    lastUpdateInstant: instant,
    retiredInstant: undefined,
  };
  await repositories.signingKeys.insert(record);
  return record;
}

/** What a node serves from memory: the JWKS text and the same keys as PEM by kid, built together. */
interface Published {
  readonly body: string;
  readonly pems: ReadonlyMap<string, string>;
  readonly expires: number;
}

/**
 * Signing keys as the rest of the server uses them: the published JWKS (pre-serialized, rebuilt at most
 * every `jwksTtlMs`) and the active private key per algorithm (unsealed once per kid).
 */
export function createSigningKeys(options: SigningKeysOptions) {
  const { store, keyRing } = options;
  const now = options.now ?? Date.now;
  const jwksTtlMs = options.jwksTtlMs ?? 5_000;
  const defaultAlgorithm = options.defaultAlgorithm ?? 'ES256';
  let published: Published | undefined;
  let loading: Promise<Published> | undefined;
  // Bumped on every change: a load that began before the change must not cache what it read.
  let generation = 0;
  const unsealed = new Map<string, Promise<ActiveSigningKey>>();

  async function loadPublished(): Promise<Published> {
    const startedAt = generation;
    const records = await store.repositories.signingKeys.listPublished();
    const withJwk = records.flatMap((record) => (record.publicJwk === undefined ? [] : [{ kid: record.kid, jwk: record.publicJwk, certificate: record.certificate }]));
    // A key with a certificate publishes it too (x5c, x5t, x5t#S256): import checked that it holds this very key.
    const jwks = withJwk.map((key) => (key.certificate === undefined ? key.jwk : { ...key.jwk, ...certificateJwkMembers(key.certificate) }));
    const body = JSON.stringify({ keys: jwks });
    const pems = new Map(withJwk.map((key) => [key.kid, publicJwkToPem(key.jwk)]));
    const loaded = { body, pems, expires: now() + jwksTtlMs };
    if (startedAt === generation) published = loaded;
    return loaded;
  }

  function current(): Promise<Published> {
    if (published !== undefined && published.expires > now()) return Promise.resolve(published);
    if (loading === undefined) {
      const load = loadPublished().finally(() => {
        if (loading === load) loading = undefined;
      });
      loading = load;
    }
    return loading;
  }

  function forget(): void {
    generation += 1;
    signers.clear();
    published = undefined;
    loading = undefined;
  }

  const signers = new Map<string, { signer: Promise<ActiveSigningKey>; expires: number }>();

  async function findSigner(keyId: string | undefined): Promise<ActiveSigningKey> {
    const record = keyId === undefined ? undefined : await store.repositories.signingKeys.find(keyId);
    if (record?.privateSealed !== undefined) return cachedUnseal(record);
    const fallback = await store.repositories.signingKeys.findActive(defaultAlgorithm);
    if (fallback === undefined) throw new Error(`no active ${defaultAlgorithm} signing key: run ./gatehouse rotate-signing-key ${defaultAlgorithm}`);
    return cachedUnseal(fallback);
  }

  function cachedUnseal(record: SigningKeyRecord): Promise<ActiveSigningKey> {
    let key = unsealed.get(record.kid);
    if (key === undefined) {
      key = unseal(record);
      unsealed.set(record.kid, key);
      key.catch(() => unsealed.delete(record.kid));
    }
    return key;
  }

  async function unseal(record: SigningKeyRecord): Promise<ActiveSigningKey> {
    if (record.privateSealed === undefined) throw new Error(`signing key ${record.id} has no private part`);
    const jwk = JSON.parse(keyRing.unseal(record.privateSealed, privateContext(record.id)).toString('utf8')) as JWK;
    const key = jwk.kty === 'oct' ? createSecretKey(Buffer.from(jwk.k ?? '', 'base64url')) : createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return { kid: record.kid, algorithm: record.algorithm as KeyAlgorithm, key };
  }

  return {
    /** The JSON text of `{"keys":[...]}`: public members only, old keys kept after rotation. */
    async jwks(): Promise<string> {
      return (await current()).body;
    },

    /** The published keys as SPKI PEM by kid (FusionAuth's /api/jwt/public-key): the JWKS in another form. */
    async publicKeyPems(): Promise<ReadonlyMap<string, string>> {
      return (await current()).pems;
    },

    /**
     * Drops this node's caches after a key was added, renamed or deleted, so the change shows at once
     * here; other nodes see it within `jwksTtlMs`.
     */
    changed(): void {
      forget();
      unsealed.clear();
    },

    /** The key that signs new tokens with `algorithm`, or undefined when there is none. */
    async active(algorithm: SigningAlgorithm): Promise<ActiveSigningKey | undefined> {
      const record = await store.repositories.signingKeys.findActive(algorithm);
      return record === undefined ? undefined : cachedUnseal(record);
    },

    /**
     * The key that signs a tenant's or application's tokens: the Key Master key it names
     * (`jwtConfiguration.accessTokenKeyId`), else the active key of the default algorithm.
     */
    signerFor(keyId: string | undefined): Promise<ActiveSigningKey> {
      // Looked up on every token issued: kept for the JWKS lifetime, like the published keys.
      const cacheKey = keyId ?? '';
      const cached = signers.get(cacheKey);
      if (cached !== undefined && cached.expires > now()) return cached.signer;
      const signer = findSigner(keyId);
      signers.set(cacheKey, { signer, expires: now() + jwksTtlMs });
      signer.catch(() => signers.delete(cacheKey));
      return signer;
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
      forget();
      await recordEventLog(store, { type: 'Information', message: `Rotated the ${algorithm} signing key: key [${record.id}] (kid ${record.kid}) signs from now on, the previous ones are retired.`, insertInstant: instant });
      return record;
    },
  };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
