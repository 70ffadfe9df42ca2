import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import type { ApiKeyCache } from '../api-key-cache.ts';
import { keyIdParams } from './retrieve-api-key.ts';

/** DELETE /api/api-key/{keyId}: 200 with no body; a key cannot delete itself (it would lock the caller out). */
export function registerDeleteApiKey(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; apiKeyCache: ApiKeyCache }) {
  app.delete('/api-key/:keyId', { schema: { params: keyIdParams } }, async (request: FastifyRequest<{ Params: { keyId: string } }>, reply: FastifyReply) => {
    const caller = deps.callers.get(request);
    if (!caller.keyManager) throw ApiError.unauthorized();
    if (caller.id === request.params.keyId) {
      throw ApiError.general('CannotDeleteSelf', 'An API key cannot delete itself; use another key manager.');
    }
    const deleted = await deps.store.transaction(async (repositories) => {
      const key = await repositories.apiKeys.find(request.params.keyId);
      if (key === undefined || (caller.tenantId !== undefined && key.tenantId !== caller.tenantId)) return false;
      return repositories.apiKeys.delete(key.id);
    });
    if (!deleted) throw ApiError.notFound();
    deps.apiKeyCache.clear();
    return reply.code(200).send();
  });
}
