import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { renameKey } from '../../keys/key-master.ts';
import type { KeyRouteDeps } from './generate-key.ts';
import { keyBody, keyIdParams, keyJson, requireGlobalCaller } from './key-json.ts';

type Request = FastifyRequest<{ Body: { key: unknown }; Params: { keyId: string } }>;

/** PUT /api/key/{keyId}: renames; key material is immutable (a changed key is a new key with a new kid). */
export function registerUpdateKey(app: FastifyInstance, deps: Pick<KeyRouteDeps, 'store' | 'signingKeys' | 'callers' | 'now'>) {
  app.put('/key/:keyId', { schema: { body: keyBody, params: keyIdParams } }, async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const key = await deps.store.transaction((repositories) => renameKey(repositories, request.params.keyId, request.body.key, deps.now()));
    if (key === undefined) throw ApiError.notFound();
    deps.signingKeys.changed();
    return { key: keyJson(key) };
  });
}
