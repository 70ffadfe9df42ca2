import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SigningKeys } from '../../keys/signing-keys.ts';

/**
 * GET /.well-known/jwks.json: public keys only (HMAC keys are never listed), retired keys included so
 * tokens they signed still verify. The body is pre-serialized by SigningKeys.
 */
export function registerJwks(app: FastifyInstance, deps: { signingKeys: SigningKeys }) {
  app.get('/.well-known/jwks.json', async (_request, reply: FastifyReply) => {
    const body = await deps.signingKeys.jwks();
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=60')
      .header('access-control-allow-origin', '*')
      .send(body);
  });
}
