import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { deleteKey } from '../../keys/key-master.ts';
import type { KeyRouteDeps } from './generate-key.ts';
import { keyIdParams, requireGlobalCaller } from './key-json.ts';

/**
 * DELETE /api/key/{keyId}: 200 with no body. Refused with `[KeyInUse]` while the key signs Gatehouse's
 * tokens (see key-master.ts); the JWKS stops listing it at once on this node.
 */
export function registerDeleteKey(app: FastifyInstance, deps: Pick<KeyRouteDeps, 'store' | 'signingKeys' | 'callers'>) {
  app.delete('/key/:keyId', { schema: { params: keyIdParams } }, async (request: FastifyRequest<{ Params: { keyId: string } }>, reply: FastifyReply) => {
    requireGlobalCaller(deps.callers, request);
    const deleted = await deps.store.transaction((repositories) => deleteKey(repositories, request.params.keyId));
    if (!deleted) throw ApiError.notFound();
    deps.signingKeys.changed();
    return reply.code(200).send();
  });
}
