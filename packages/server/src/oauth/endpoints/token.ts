import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { oauthParameters } from '../form-parameters.ts';
import { tokenGrants, type TokenGrantDeps } from '../grants/index.ts';
import { refuseOtherMethods } from './presented-token.ts';

const formMediaType = 'application/x-www-form-urlencoded';

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

/**
 * POST /oauth2/token (RFC 6749 §3.2): form-encoded parameters only (TOK-02; FusionAuth: never the query
 * string, never JSON), each at most once (TOK-03), the grant chosen by `grant_type` (TOK-04). Every
 * answer, errors included (see http/error-handler.ts), carries `Cache-Control: no-store` and
 * `Pragma: no-cache` (RFC 6749 §5.1). Other methods are 405 and never processed (TOK-01).
 */
export function registerToken(app: FastifyInstance, deps: TokenGrantDeps & { readonly now: () => number }) {
  app.post('/oauth2/token', async (request: FastifyRequest, reply: FastifyReply) => {
    if (mediaType(request.headers['content-type']) !== formMediaType) {
      throw new OAuthError('invalid_request', `The token request must be sent as ${formMediaType}.`);
    }
    const parameters = oauthParameters(request.body);
    const grantType = parameters.get('grant_type');
    if (grantType === undefined) throw new OAuthError('invalid_request', 'The grant_type parameter is required.', 400, { reason: 'missing_grant_type' });
    const grant = tokenGrants.get(grantType);
    if (grant === undefined) throw new OAuthError('unsupported_grant_type', 'This server does not support this grant_type.', 400, { reason: 'invalid_grant_type' });
    const body = await grant.exchange(deps, { parameters, authorization: request.headers.authorization, baseUrl: request.baseUrl, now: deps.now() });
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
  });

  refuseOtherMethods(app, '/oauth2/token');
}
