import { createHash, randomBytes } from 'node:crypto';

/** Prefix of generated keys, so secret scanners can recognise a leaked Gatehouse key. */
export const apiKeyPrefix = 'gth_';

/** 256 random bits, base64url, prefixed. */
export function generateApiKeyValue(): string {
  return `${apiKeyPrefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * Keys are stored as SHA-256: generated keys carry 256 bits of entropy, so a slow hash would add
 * nothing but latency to every management call. Lookup by hash is an index probe, constant in the key.
 */
export function hashApiKey(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
