import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { accessTokenKeyIdOf } from '../../keys/key-assignments.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { Store } from '../../store/store.ts';

const querystring = {
  type: 'object',
  properties: { kid: { type: 'string', maxLength: 255 }, applicationId: { type: 'string', format: 'uuid' } },
} as const;

type Request = FastifyRequest<{ Querystring: { kid?: string; applicationId?: string } }>;

/**
 * GET /api/jwt/public-key[?kid=|?applicationId=]: the JWKS keys as PEM, open like the JWKS itself
 * (FusionAuth's client calls it without an API key). It shows only what /.well-known/jwks.json
 * lists, from the same cache, so the two never disagree.
 */
export function registerRetrievePublicKey(app: FastifyInstance, deps: { store: Store; signingKeys: SigningKeys }) {
  app.get('/api/jwt/public-key', { schema: { querystring } }, async (request: Request, reply: FastifyReply) => {
    reply.header('cache-control', 'public, max-age=60').header('access-control-allow-origin', '*');
    const pems = await deps.signingKeys.publicKeyPems();
    const { kid, applicationId } = request.query;
    if (kid !== undefined && kid !== '') {
      const publicKey = pems.get(kid);
      if (publicKey === undefined) throw ApiError.notFound();
      return { publicKey };
    }
    if (applicationId !== undefined) {
      // The key the application (or its tenant) names for access tokens; none assigned, HMAC, or
      // verification-only → 404: there is no public key of its own to show.
      const keyId = await accessTokenKeyIdOf(deps.store.repositories, applicationId);
      const key = keyId === undefined ? undefined : await deps.store.repositories.signingKeys.find(keyId);
      const publicKey = key === undefined ? undefined : pems.get(key.kid);
      if (publicKey === undefined) throw ApiError.notFound();
      return { publicKey };
    }
    return { publicKeys: Object.fromEntries(pems) };
  });
}
