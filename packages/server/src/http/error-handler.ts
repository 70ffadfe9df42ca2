import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, renderApiError } from '../errors/api-error.ts';
import { OAuthError, renderOAuthError } from '../errors/oauth-error.ts';
import { frameworkError, validationToApiError, validationToOAuthError } from './request-errors.ts';

/** Which error family a URL belongs to: OAuth endpoints answer RFC 6749 errors, the rest FusionAuth's. */
export function errorFamily(url: string): 'api' | 'oauth' {
  return url.startsWith('/oauth2/') ? 'oauth' : 'api';
}

function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  const body = renderApiError(error);
  reply.code(error.status).header('cache-control', 'no-store');
  return body === undefined ? reply.send() : reply.send(body);
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  reply.code(error.status).header('cache-control', 'no-store').header('pragma', 'no-cache');
  // RFC 6749 §5.2: a failed client authentication via the Authorization header gets a challenge.
  if (error.status === 401) reply.header('www-authenticate', error.challenge ?? 'Basic realm="gatehouse"');
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.send(renderOAuthError(error));
}

/**
 * One place decides how every failure looks on the wire. Unknown errors are logged with their stack
 * and answered with an empty 500: their text may hold internals or secrets.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const family = errorFamily(request.url);
    if (error instanceof ApiError) return sendApiError(reply, error);
    if (error instanceof OAuthError) return sendOAuthError(reply, error);
    if (error.validation !== undefined) {
      return family === 'api' ? sendApiError(reply, validationToApiError(error)) : sendOAuthError(reply, validationToOAuthError(error));
    }
    const known = frameworkError(error, family);
    if (known instanceof ApiError) return sendApiError(reply, known);
    if (known instanceof OAuthError) return sendOAuthError(reply, known);
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ code: error.code, statusCode: error.statusCode }, 'request rejected');
      return family === 'api'
        ? sendApiError(reply, ApiError.general('invalidRequest', 'The request could not be processed.', error.statusCode))
        : sendOAuthError(reply, new OAuthError('invalid_request', 'The request could not be processed.', error.statusCode));
    }
    request.log.error({ err: error }, 'unhandled error');
    if (family === 'oauth') return sendOAuthError(reply, new OAuthError('server_error', 'An unexpected error occurred.', 500));
    return reply.code(500).header('cache-control', 'no-store').send();
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    if (errorFamily(request.url) === 'oauth') {
      return sendOAuthError(reply, new OAuthError('invalid_request', 'This server has no such endpoint.', 404));
    }
    return sendApiError(reply, ApiError.notFound());
  });
}
