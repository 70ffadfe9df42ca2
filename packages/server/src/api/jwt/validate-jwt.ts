import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import { verifyAccessToken } from '../../oauth/tokens/verify-access-token.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { bearerToken } from './request-credentials.ts';

/** GET /api/jwt/validate: the JWT's claims when Gatehouse signed it and it has not expired; else 401. */
export function registerValidateJwt(app: FastifyInstance, deps: { signingKeys: SigningKeys; now: () => number }) {
  app.get('/jwt/validate', { config: apiKeyPolicy('none') }, async (request) => {
    const token = bearerToken(request);
    if (token === undefined) throw ApiError.unauthorized();
    const claims = await verifyAccessToken(deps.signingKeys, token, deps.now());
    if (claims === undefined) throw ApiError.unauthorized();
    return { jwt: claims };
  });
}
