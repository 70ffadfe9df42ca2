import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { authenticateClient, requireClientAuthentication, type AuthenticatedClient, type ClientAuthenticationDeps } from '../client-auth/authenticate-client.ts';
import { oauthParameters, requiredParameter, type OAuthParameters } from '../form-parameters.ts';

/*
 * What the introspection (RFC 7662) and revocation (RFC 7009) endpoints share: a form POST from an
 * authenticated client naming one token.
 */

/** The media type of a request, lower-cased, without parameters. */
export function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** RFC 6749 §3.2 / RFC 7662 §2.1 / RFC 7009 §2.1: parameters come form-encoded in the body, each once. */
export function formParameters(request: FastifyRequest): OAuthParameters {
  if (mediaType(request) !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  }
  return oauthParameters(request.body);
}

/**
 * The calling client and the token it names. A client whose clientAuthenticationPolicy is `Required`
 * (a confidential client) must authenticate; one allowed to go without its secret for some grant
 * (`NotRequired`, `NotRequiredWhenUsingPKCE`: a public client) may name itself with `client_id` alone,
 * as FusionAuth's introspection endpoint allows, and then only reaches its own tokens. Client
 * authentication comes first, so an unauthenticated caller learns nothing about the request.
 */
export async function tokenRequest(deps: ClientAuthenticationDeps, request: FastifyRequest): Promise<{ client: AuthenticatedClient; token: string }> {
  const parameters = formParameters(request);
  return clientTokenRequest(await authenticateClient(deps, parameters, request.headers.authorization), parameters);
}

/** tokenRequest once the client's credentials were checked: its policy, then the token. */
export function clientTokenRequest(client: AuthenticatedClient, parameters: OAuthParameters): { client: AuthenticatedClient; token: string } {
  // There is no PKCE here: "used PKCE" stands for "the client may be public".
  requireClientAuthentication(client, true);
  // token_type_hint is not read: the token's shape tells its kind (RFC 7662 §2.1, RFC 7009 §2.1 allow ignoring it).
  return { client, token: requiredParameter(parameters, 'token') };
}

/** Gatehouse's access tokens are compact JWS (three dot-separated parts); refresh tokens are opaque base64url. */
export function isStructuredToken(token: string): boolean {
  return token.split('.').length === 3;
}

/** Any other method than POST is answered 405 with `Allow: POST` (RFC 9110 §15.5.6), in the OAuth error shape. */
export function refuseOtherMethods(app: FastifyInstance, url: string): void {
  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url,
    handler: async (_request: FastifyRequest, reply: FastifyReply) => {
      reply.header('allow', 'POST');
      throw new OAuthError('invalid_request', 'This endpoint only accepts POST.', 405);
    },
  });
}

/** Responses carrying token state are never cached (RFC 7662 §4, RFC 6749 §5.1). */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}
