import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyJson } from './api-key-json.ts';

export const keyIdParams = { type: 'object', required: ['keyId'], properties: { keyId: { type: 'string', format: 'uuid' } } } as const;

/** GET /api/api-key/{keyId}: the key's settings; the value itself is never retrievable (only its hash is stored). */
export function registerRetrieveApiKey(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/api-key/:keyId', { schema: { params: keyIdParams } }, async (request: FastifyRequest<{ Params: { keyId: string } }>) => {
    const caller = deps.callers.get(request);
    if (!caller.keyManager) throw ApiError.unauthorized();
    const key = await deps.store.repositories.apiKeys.find(request.params.keyId);
    if (key === undefined || (caller.tenantId !== undefined && key.tenantId !== caller.tenantId)) throw ApiError.notFound();
    return { apiKey: apiKeyJson(key) };
  });
}
