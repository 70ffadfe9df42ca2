import type { ApiKeyRecord, ApiKeyRepository } from '../store/repositories/api-key-repository.ts';

export interface ApiKeyCacheOptions {
  readonly apiKeys: Pick<ApiKeyRepository, 'findByHash'>;
  readonly now: () => number;
  /** How long a node trusts a key it looked up; a key deleted on another node stops working within this. */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

/**
 * Every management call authenticates, so the key lookup is on the hot path. Known keys are kept for a
 * few seconds (safe to lose: it is only a cache); unknown ones are never cached, so guessing cannot
 * fill memory. Changes made through this node clear it at once.
 */
export function createApiKeyCache(options: ApiKeyCacheOptions) {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { key: ApiKeyRecord; expires: number }>();

  return {
    async findByHash(keyHash: Buffer): Promise<ApiKeyRecord | undefined> {
      const id = keyHash.toString('base64');
      const cached = entries.get(id);
      if (cached !== undefined && cached.expires > options.now()) return cached.key;
      const key = await options.apiKeys.findByHash(keyHash);
      if (key === undefined) {
        entries.delete(id);
        return undefined;
      }
      if (entries.size >= maxEntries) entries.clear();
      entries.set(id, { key, expires: options.now() + ttlMs });
      return key;
    },

    clear(): void {
      entries.clear();
    },
  };
}

export type ApiKeyCache = ReturnType<typeof createApiKeyCache>;
