import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { findChangePasswordId } from '../../identity/passwords/change-password-ids.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import { verifyAccessToken } from '../../oauth/tokens/verify-access-token.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { bearerToken } from '../jwt/request-credentials.ts';
import { findWorkflowUser } from './login-id-user.ts';

const params = { type: 'object', required: ['changePasswordId'], properties: { changePasswordId: { type: 'string', maxLength: 255 } } } as const;
const querystring = { type: 'object', properties: { loginId: { type: 'string', maxLength: 191 } } } as const;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Route {
  Params: { changePasswordId?: string };
  Querystring: { loginId?: string };
}

/**
 * GET /api/user/change-password/{changePasswordId} (no API key) and GET /api/user/change-password
 * `?loginId=` (API key) or with a JWT: 200 with no body when a password change could proceed, 404 when the
 * id is unknown, expired or used, or the user is gone. Gatehouse has no MFA, so `[TrustTokenRequired]`
 * never comes.
 */
export function registerCheckChangePassword(app: FastifyInstance, deps: { store: Store; signingKeys: SigningKeys; callers: ApiCallers; now: () => number }) {
  const { repositories } = deps.store;
  const activeUser = async (userId: string | undefined) => {
    const user = userId === undefined || !uuid.test(userId) ? undefined : await repositories.users.find(userId);
    return user?.active === true ? user : undefined;
  };

  app.get<Route>('/user/change-password/:changePasswordId', { config: apiKeyPolicy('optional'), schema: { params } }, async (request, reply: FastifyReply) => {
    const record = await findChangePasswordId(repositories, request.params.changePasswordId!, deps.now());
    if ((await activeUser(record?.userId)) === undefined) throw ApiError.notFound();
    return reply.send();
  });

  app.get<Route>('/user/change-password', { config: apiKeyPolicy('optional'), schema: { querystring } }, async (request: FastifyRequest<Route>, reply: FastifyReply) => {
    const caller = deps.callers.find(request);
    const loginId = request.query.loginId;
    if (loginId !== undefined && loginId !== '') {
      if (caller === undefined) throw ApiError.unauthorized();
      if ((await findWorkflowUser(request, caller, repositories, loginId, undefined)) === undefined) throw ApiError.notFound();
      return reply.send();
    }
    const jwt = caller === undefined ? bearerToken(request) : undefined;
    if (jwt === undefined) throw ApiError.general('invalidGET', 'Send a change password id in the URL, a [loginId] with an API key, or a JWT in the Authorization header.');
    const claims = await verifyAccessToken(deps.signingKeys, jwt, deps.now());
    if (claims === undefined) throw ApiError.unauthorized();
    if ((await activeUser(claims.sub)) === undefined) throw ApiError.notFound();
    return reply.send();
  });
}
