import type { FastifyRequest } from 'fastify';
import type { ApiKeyRecord } from '../store/repositories/api-key-repository.ts';

/** Which API key made each management request; one registry per app instance, no request decoration. */
export function createApiCallers() {
  const callers = new WeakMap<FastifyRequest, ApiKeyRecord>();
  return {
    set(request: FastifyRequest, key: ApiKeyRecord): void {
      callers.set(request, key);
    },
    /** The caller of a route whose API key is optional, when one was sent. */
    find(request: FastifyRequest): ApiKeyRecord | undefined {
      return callers.get(request);
    },
    get(request: FastifyRequest): ApiKeyRecord {
      const key = callers.get(request);
      if (key === undefined) throw new Error('management route reached without an authenticated API key');
      return key;
    },
  };
}

export type ApiCallers = ReturnType<typeof createApiCallers>;
