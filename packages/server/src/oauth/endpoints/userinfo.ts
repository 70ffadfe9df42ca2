import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, renderOAuthError } from '../../errors/oauth-error.ts';
import { oauthParameters } from '../form-parameters.ts';
import { claimsForScopes } from '../scopes/scope-claims.ts';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../tokens/access-token-verifier.ts';
import { mediaType, noStore } from './presented-token.ts';

export interface UserinfoDeps {
  readonly accessTokens: AccessTokenVerifier;
}

/** The claims Compatibility mode releases whatever the token's scopes (FusionAuth before 1.50). */
const allClaimScopes = ['profile', 'email', 'phone', 'address'] as const;

/** RFC 6750 §3: the challenge of every failure; without an error code when no token was presented (§3.1). */
function challenge(error: OAuthError | undefined, scope?: string): string {
  const parts = ['Bearer realm="gatehouse"'];
  if (error !== undefined) parts.push(`error="${error.error}"`, `error_description="${renderOAuthError(error).error_description}"`);
  if (scope !== undefined) parts.push(`scope="${scope}"`);
  return parts.join(', ');
}

/** A bearer failure: its status, its challenge, and the RFC 6749 error body (none when no token came). */
class BearerFailure extends Error {
  readonly error: OAuthError | undefined;
  readonly scope: string | undefined;
  constructor(error: OAuthError | undefined, scope?: string) {
    super(error?.message ?? 'no access token');
    this.error = error;
    this.scope = scope;
  }
}

const invalidToken = () => new BearerFailure(new OAuthError('invalid_token', 'The access token is invalid, expired or revoked.', 401));

/**
 * The token, from `Authorization: Bearer` or a form body's `access_token` (RFC 6750 §2.1, §2.2), never
 * both (§2: "MUST NOT use more than one method") and never the URL query (§2.3 is a SHOULD NOT; a token
 * in a URL ends up in logs and Referer headers, RFC 9700 §4.3.2).
 */
function presentedToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  if (query !== undefined && query !== null && 'access_token' in query) {
    throw new BearerFailure(new OAuthError('invalid_request', 'Send the access token in the Authorization header, not in the URL.'));
  }
  const header = request.headers.authorization;
  let fromHeader: string | undefined;
  if (header !== undefined && /^bearer(\s|$)/i.test(header)) {
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null && header.trim().length > 'bearer'.length) throw new BearerFailure(new OAuthError('invalid_request', 'The Authorization header holds more than one Bearer token.'));
    fromHeader = match?.[1];
  }
  let fromBody: string | undefined;
  if (request.method === 'POST' && request.body !== undefined && request.body !== null) {
    if (mediaType(request) !== 'application/x-www-form-urlencoded') {
      throw new BearerFailure(new OAuthError('invalid_request', 'A request body must be application/x-www-form-urlencoded.'));
    }
    fromBody = oauthParameters(request.body).get('access_token');
  }
  if (fromHeader !== undefined && fromBody !== undefined) throw new BearerFailure(new OAuthError('invalid_request', 'Send the access token once: in the Authorization header or in the body.'));
  return fromHeader ?? fromBody;
}

/**
 * FusionAuth's scopeHandlingPolicy. Strict (the default): the token must hold `openid` (OIDC Core §5.3),
 * and claims are those its scopes release — the same as the ID token's (scope-claims.ts). Compatibility:
 * every claim the user has, plus the token's `applicationId` and `roles`.
 */
function userinfoClaims(verified: VerifiedAccessToken): Record<string, unknown> {
  const { user, claims } = verified;
  if (verified.application.settings.oauthConfiguration.scopeHandlingPolicy === 'Strict') {
    if (!verified.scopes.includes('openid')) {
      throw new BearerFailure(new OAuthError('insufficient_scope', 'The access token was not granted the openid scope.', 403), 'openid');
    }
    return { sub: user.id, ...claimsForScopes(user, verified.scopes) };
  }
  return {
    sub: user.id,
    ...claimsForScopes(user, allClaimScopes),
    ...(claims['applicationId'] === undefined ? {} : { applicationId: claims['applicationId'] }),
    ...(claims['roles'] === undefined ? {} : { roles: claims['roles'] }),
  };
}

function sendFailure(reply: FastifyReply, failure: BearerFailure): FastifyReply {
  noStore(reply).header('www-authenticate', challenge(failure.error, failure.scope));
  if (failure.error === undefined) return reply.code(401).send();
  return reply.code(failure.error.status).send(renderOAuthError(failure.error));
}

/** Browsers may call UserInfo from any origin: the bearer token is the only credential (no cookies). */
function allowAnyOrigin(reply: FastifyReply): FastifyReply {
  return reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', 'WWW-Authenticate');
}

/**
 * GET|POST /oauth2/userinfo (OIDC Core §5.3): claims about the user of a live access token (see
 * access-token-verifier.ts for what "live" means). No token: 401 with a bare Bearer challenge; a bad
 * one: 401 invalid_token; a request that is wrong: 400 invalid_request; no `openid` scope: 403
 * insufficient_scope — each with its `WWW-Authenticate` challenge (RFC 6750 §3).
 */
export function registerUserinfo(app: FastifyInstance, deps: UserinfoDeps): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    allowAnyOrigin(reply);
    try {
      const token = presentedToken(request);
      if (token === undefined) throw new BearerFailure(undefined);
      const verified = await deps.accessTokens.verify(token, request);
      if (verified === undefined) throw invalidToken();
      return noStore(reply).send(userinfoClaims(verified));
    } catch (failure) {
      if (failure instanceof BearerFailure) return sendFailure(reply, failure);
      if (failure instanceof OAuthError && failure.status < 500) return sendFailure(reply, new BearerFailure(failure));
      throw failure;
    }
  };
  app.get('/oauth2/userinfo', handler);
  app.post('/oauth2/userinfo', handler);
  // CORS preflight for the Authorization header (Fetch standard §3.2.2).
  app.options('/oauth2/userinfo', async (_request: FastifyRequest, reply: FastifyReply) =>
    allowAnyOrigin(reply)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'Authorization, Content-Type')
      .header('access-control-max-age', '600')
      .code(204)
      .send(),
  );
}
