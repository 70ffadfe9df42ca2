import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { keyIdParams, keyJson, requireGlobalCaller } from './key-json.ts';

/** GET /api/key and /api/key/{keyId}: public parts only, whatever the key. */
export function registerRetrieveKey(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/key', async (request) => {
    requireGlobalCaller(deps.callers, request);
    const keys = await deps.store.repositories.signingKeys.list();
    return { keys: keys.map(keyJson) };
  });

  app.get('/key/:keyId', { schema: { params: keyIdParams } }, async (request: FastifyRequest<{ Params: { keyId: string } }>) => {
    requireGlobalCaller(deps.callers, request);
    const key = await deps.store.repositories.signingKeys.find(request.params.keyId);
    if (key === undefined) throw ApiError.notFound();
    return { key: keyJson(key) };
  });
}
