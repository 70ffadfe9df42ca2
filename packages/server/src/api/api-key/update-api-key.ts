import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { updateApiKey } from '../../tenancy/api-keys.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import type { ApiKeyCache } from '../api-key-cache.ts';
import { apiKeyJson } from './api-key-json.ts';
import { apiKeyBodySchema, apiKeyInput, type ApiKeyBody } from './create-api-key.ts';
import { keyIdParams } from './retrieve-api-key.ts';

/** PUT /api/api-key/{keyId}: key managers only, within their reach; the change applies on this node at once. */
export function registerUpdateApiKey(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; apiKeyCache: ApiKeyCache; now: () => number }) {
  app.put('/api-key/:keyId', { schema: { body: apiKeyBodySchema, params: keyIdParams } }, async (request: FastifyRequest<{ Body: ApiKeyBody; Params: { keyId: string } }>) => {
    const caller = deps.callers.get(request);
    const input = request.body.apiKey;
    if (!caller.keyManager) throw ApiError.unauthorized();
    if (Object.keys(caller.permissions).length > 0 && input.keyManager === true) {
      throw ApiError.field('apiKey.keyManager', 'invalid', 'Only an unrestricted key may create another key manager.');
    }
    const updated = await deps.store.transaction(async (repositories) => {
      const existing = await repositories.apiKeys.find(request.params.keyId);
      if (existing === undefined || (caller.tenantId !== undefined && existing.tenantId !== caller.tenantId)) return undefined;
      return updateApiKey(repositories, existing, apiKeyInput(input), deps.now());
    });
    if (updated === undefined) throw ApiError.notFound();
    deps.apiKeyCache.clear();
    return { apiKey: apiKeyJson(updated) };
  });
}
