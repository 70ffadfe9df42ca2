import type { FastifyInstance, FastifyRequest } from 'fastify';
import { insertKey, prepareImportedKey } from '../../keys/key-master.ts';
import type { KeyRouteDeps } from './generate-key.ts';
import { keyBody, keyIdParams, keyJson, requireGlobalCaller } from './key-json.ts';

type Request = FastifyRequest<{ Body: { key: unknown }; Params: { keyId?: string } }>;

/**
 * POST /api/key/import[/{keyId}]: PEM or JWK key pairs, a public key or certificate alone (verification
 * only), or an HMAC secret. The private part is sealed before it reaches the store.
 */
export function registerImportKey(app: FastifyInstance, deps: KeyRouteDeps) {
  const handler = async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const record = await prepareImportedKey(deps.keyRing, request.params.keyId, request.body.key, deps.now());
    await deps.store.transaction((repositories) => insertKey(repositories, record));
    deps.signingKeys.changed();
    return { key: keyJson(record) };
  };
  app.post('/key/import', { schema: { body: keyBody } }, handler);
  app.post('/key/import/:keyId', { schema: { body: keyBody, params: keyIdParams } }, handler);
}
