import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { authorizationParameterNames, readParameters, type ReadParameters } from './authorization-request.ts';

/** A form posted by a hosted page: the authorization parameters it carries, and the page's own fields. */
export interface HostedForm {
  readonly authorization: ReadParameters;
  /** A field sent once, non-empty; undefined otherwise. */
  field(name: string): string | undefined;
  /** Every value of a field that may repeat (checkboxes). */
  values(name: string): string[];
}

const carried: ReadonlySet<string> = new Set(authorizationParameterNames);

/**
 * AUTHZ-16: authorization requests and the hosted forms are POSTed as application/x-www-form-urlencoded
 * only; a JSON body is invalid_request (answered on the error page).
 */
export function requireFormBody(request: FastifyRequest): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'Send the request as an application/x-www-form-urlencoded form.', 400, { reason: 'invalid_content_type' });
  }
}

export function hostedForm(body: unknown): HostedForm {
  const source = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const authorization = readParameters(Object.fromEntries(Object.entries(source).filter(([name]) => carried.has(name))));
  return {
    authorization,
    field(name) {
      const value = source[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    },
    values(name) {
      const value = source[name];
      return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string' && item !== '');
    },
  };
}
