import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** One AES-256 key of the master key ring. */
export interface MasterKey {
  readonly id: string;
  readonly secret: Buffer;
}

/**
 * Seals recoverable secrets (client secrets, upstream tokens, private keys) with AES-256-GCM.
 * Each ciphertext names the key that sealed it, so the ring can rotate: the first key seals, all unseal.
 * The additional data binds a ciphertext to its table, row and column: a sealed value copied into another
 * row does not unseal.
 */
export interface KeyRing {
  readonly activeKeyId: string;
  seal(plaintext: Uint8Array | string, context: SealContext): Buffer;
  unseal(sealed: Uint8Array, context: SealContext): Buffer;
}

export interface SealContext {
  readonly table: string;
  readonly row: string;
  readonly column: string;
}

export class UnsealError extends Error {
  override readonly name = 'UnsealError';
}

const formatVersion = 1;
const ivLength = 12;
const tagLength = 16;
const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `id:base64url,id:base64url` (or one bare base64url key). Throws with a message fit for a config error. */
export function parseMasterKeys(spec: string): MasterKey[] {
  const entries = spec.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error('must hold at least one key');
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const encoded = colon === -1 ? entry : entry.slice(colon + 1);
    const secret = Buffer.from(encoded, 'base64url');
    if (secret.length !== 32 || secret.toString('base64url') !== encoded.replace(/=+$/, '')) {
      throw new Error(`key #${index + 1} must be 32 bytes in base64url (43 characters), e.g. from ./gatehouse generate-master-key`);
    }
    const id = colon === -1 ? defaultKeyId(secret) : entry.slice(0, colon);
    if (!keyIdPattern.test(id)) throw new Error(`key #${index + 1} has an invalid id "${id}" (letters, digits, - and _, at most 32)`);
    return { id, secret };
  });
  const ids = new Set(keys.map((key) => key.id));
  if (ids.size !== keys.length) throw new Error('key ids must be unique');
  return keys;
}

export function generateMasterKeySpec(id = 'k1'): string {
  return `${id}:${randomBytes(32).toString('base64url')}`;
}

function defaultKeyId(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 8);
}

function additionalData(context: SealContext): Buffer {
  return Buffer.from(`${context.table}\u0000${context.row}\u0000${context.column}`);
}

export function createKeyRing(keys: readonly MasterKey[]): KeyRing {
  const [active] = keys;
  if (active === undefined) throw new Error('a key ring needs at least one key');
  // KeyObjects made once: a cipher given raw bytes builds one per call, five times the cost of the AES-GCM itself.
  const byId = new Map<string, KeyObject>(keys.map((key) => [key.id, createSecretKey(key.secret)]));
  const activeSecret = byId.get(active.id)!;

  return {
    activeKeyId: active.id,

    seal(plaintext, context) {
      const iv = randomBytes(ivLength);
      const cipher = createCipheriv('aes-256-gcm', activeSecret, iv);
      cipher.setAAD(additionalData(context));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const keyId = Buffer.from(active.id);
      // version | key id length | key id | iv | tag | ciphertext
      return Buffer.concat([Buffer.from([formatVersion, keyId.length]), keyId, iv, cipher.getAuthTag(), body]);
    },

    unseal(sealed, context) {
      const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      if (data.length < 2 || data[0] !== formatVersion) throw new UnsealError('sealed value has an unknown format');
      const idEnd = 2 + (data[1] ?? 0);
      const keyId = data.subarray(2, idEnd).toString();
      const secret = byId.get(keyId);
      if (secret === undefined) throw new UnsealError(`sealed with master key "${keyId}", which is not in GATEHOUSE_MASTER_KEY`);
      const iv = data.subarray(idEnd, idEnd + ivLength);
      const tag = data.subarray(idEnd + ivLength, idEnd + ivLength + tagLength);
      const decipher = createDecipheriv('aes-256-gcm', secret, iv);
      decipher.setAAD(additionalData(context));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(data.subarray(idEnd + ivLength + tagLength)), decipher.final()]);
      } catch {
        throw new UnsealError(`sealed value does not open with master key "${keyId}" for ${context.table}.${context.column}`);
      }
    },
  };
}
