import { createPrivateKey, randomUUID } from 'node:crypto';
import { ApiError } from '../errors/api-error.ts';
import { DuplicateError } from '../store/store-errors.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { SigningKeyOrigin, SigningKeyRecord } from '../store/repositories/signing-key-repository.ts';
import { createValidator } from '../validation/validator.ts';
import { fromApiAlgorithmName, keyAlgorithmNames, keyAlgorithms, rsaLengths, type KeyAlgorithm } from './key-algorithms.ts';
import { keyUsers } from './key-assignments.ts';
import { importKeyMaterial } from './key-import.ts';
import type { KeyRing } from './key-ring.ts';
import { createSelfSignedCertificate, defaultValidity } from './self-signed-certificate.ts';
import { generateSigningKeyMaterial } from './signing-key-material.ts';
import { privateContext } from './signing-keys.ts';

/**
 * Key Master: keys an administrator generates or imports (FusionAuth's /api/key). They never take over
 * signing by themselves (only rotation keys do, see signing-keys.ts): they sign where a tenant or an
 * application names them, so adding one cannot surprise a relying party with an unannounced kid.
 */

/** FusionAuth's algorithm names, plus Gatehouse's JOSE name for Ed25519. */
const algorithmNames = [...keyAlgorithmNames, 'Ed25519'];
const name = { type: 'string', minLength: 1, maxLength: 191 } as const;
const pemText = { type: 'string', minLength: 1, maxLength: 65_536 } as const;

const generateSchema = {
  type: 'object',
  required: ['algorithm', 'name'],
  // issuer: the certificate's CN; ignored for HMAC keys, which get no certificate (as in FusionAuth).
  properties: { algorithm: { type: 'string', enum: algorithmNames }, name, length: { type: 'integer' }, issuer: { type: 'string', minLength: 1, maxLength: 2048 } },
} as const;

const importSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    algorithm: { type: 'string', enum: algorithmNames },
    name,
    // kid is an opaque lookup key (RFC 8725 §3.1 hygiene): printable ASCII, no spaces, bounded.
    kid: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    publicKey: pemText,
    privateKey: pemText,
    certificate: pemText,
    secret: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

const renameSchema = { type: 'object', required: ['name'], properties: { name } } as const;

interface GenerateInput {
  algorithm: string;
  name: string;
  length?: number;
  issuer?: string;
}

interface ImportInput {
  algorithm?: string;
  name: string;
  kid?: string;
  publicKey?: string;
  privateKey?: string;
  certificate?: string;
  secret?: string;
}

const validateGenerate = createValidator<GenerateInput>(generateSchema, 'key');
const validateImport = createValidator<ImportInput>(importSchema, 'key');
const validateRename = createValidator<{ name: string }>(renameSchema, 'key');

function algorithmOf(value: string): KeyAlgorithm {
  const algorithm = fromApiAlgorithmName(value);
  // The schema's enum already refused anything else; this keeps the type honest.
  if (algorithm === undefined) throw ApiError.field('key.algorithm', 'invalid', 'Unsupported algorithm.');
  return algorithm;
}

interface NewKey {
  readonly id: string | undefined;
  readonly name: string;
  readonly origin: SigningKeyOrigin;
  readonly kid: string;
  readonly algorithm: KeyAlgorithm;
  readonly publicJwk: Readonly<Record<string, unknown>> | undefined;
  readonly privateJwk: Readonly<Record<string, unknown>> | undefined;
  readonly certificate: string | undefined;
}

function sealedRecord(keyRing: KeyRing, key: NewKey, now: number): SigningKeyRecord {
  const id = key.id ?? randomUUID();
  return {
    id,
    kid: key.kid,
    algorithm: key.algorithm,
    name: key.name,
    publicJwk: key.publicJwk,
    privateSealed: key.privateJwk === undefined ? undefined : keyRing.seal(JSON.stringify(key.privateJwk), privateContext(id)),
    origin: key.origin,
    certificate: key.certificate,
    insertInstant: now,
    lastUpdateInstant: now,
    retiredInstant: undefined,
  };
}

/**
 * Builds a generated key, sealed, without touching the store: RSA generation takes long, a transaction
 * should not. RSA, EC and Ed25519 keys come with a self-signed certificate for ten years, issued to
 * `key.issuer`, else to `defaultIssuer` (FusionAuth: the default tenant's issuer).
 */
export async function prepareGeneratedKey(keyRing: KeyRing, id: string | undefined, body: unknown, now: number, defaultIssuer: string): Promise<SigningKeyRecord> {
  const input = validateGenerate(body);
  const algorithm = algorithmOf(input.algorithm);
  const isRsa = keyAlgorithms[algorithm].type === 'RSA';
  if (isRsa && input.length !== undefined && !(rsaLengths as readonly number[]).includes(input.length)) {
    throw ApiError.field('key.length', 'invalid', `RSA keys are ${rsaLengths.join(', ')} bits long.`);
  }
  const material = await generateSigningKeyMaterial(algorithm, { rsaLength: isRsa ? input.length : undefined });
  const certificate =
    material.publicJwk === undefined
      ? undefined
      : createSelfSignedCertificate({ privateKey: createPrivateKey({ key: material.privateJwk, format: 'jwk' }), commonName: input.issuer ?? defaultIssuer, ...defaultValidity(now) });
  return sealedRecord(keyRing, { ...material, id, name: input.name, origin: 'generate', certificate }, now);
}

/** Builds an imported key, checked and sealed, without touching the store. */
export async function prepareImportedKey(keyRing: KeyRing, id: string | undefined, body: unknown, now: number): Promise<SigningKeyRecord> {
  const input = validateImport(body);
  const material = await importKeyMaterial({ ...input, algorithm: input.algorithm === undefined ? undefined : algorithmOf(input.algorithm) });
  return sealedRecord(keyRing, { ...material, id, name: input.name, origin: 'import' }, now);
}

function duplicate(error: unknown): never {
  if (error instanceof DuplicateError) {
    if (error.constraint === 'signing_keys_name_key') throw ApiError.field('key.name', 'duplicate', 'A key with this name already exists.');
    if (error.constraint === 'signing_keys_kid_key') throw ApiError.field('key.kid', 'duplicate', 'A key with this kid already exists.');
    throw ApiError.field('key.id', 'duplicate', 'A key with this id already exists.');
  }
  throw error;
}

export async function insertKey(repositories: Repositories, record: SigningKeyRecord): Promise<void> {
  await repositories.signingKeys.insert(record).catch(duplicate);
}

/** PUT: only the name changes (FusionAuth ignores every other field). Undefined when the key is absent. */
export async function renameKey(repositories: Repositories, id: string, body: unknown, now: number): Promise<SigningKeyRecord | undefined> {
  const { name: newName } = validateRename(body);
  if (!(await repositories.signingKeys.rename(id, newName, now).catch(duplicate))) return undefined;
  return repositories.signingKeys.find(id);
}

/**
 * Deletes a key unless something signs with it: the active rotation key of its algorithm (deleting it
 * would leave Gatehouse without a signer), or a tenant or application that names it for its tokens.
 * Returns false when there is no such key.
 */
export async function deleteKey(repositories: Repositories, id: string): Promise<boolean> {
  const key = await repositories.signingKeys.find(id);
  if (key === undefined) return false;
  if (key.origin === 'rotation' && (await repositories.signingKeys.findActive(key.algorithm))?.id === id) {
    throw ApiError.general('KeyInUse', `This key signs Gatehouse's ${key.algorithm} tokens; rotate it first (./gatehouse rotate-signing-key ${key.algorithm}).`);
  }
  const [user] = await keyUsers(repositories, id);
  if (user !== undefined) {
    throw ApiError.general('KeyInUse', `The ${user.kind} ${user.id} signs with this key (${user.kind === 'webhook' ? 'signatureConfiguration' : 'jwtConfiguration'}); assign it another key first.`);
  }
  return repositories.signingKeys.delete(id);
}
