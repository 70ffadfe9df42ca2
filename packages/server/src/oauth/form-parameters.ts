import { OAuthError } from '../errors/oauth-error.ts';

/** The parameters of an OAuth request, each present at most once, empty values treated as absent (OIDC Core). */
export type OAuthParameters = ReadonlyMap<string, string>;

/**
 * Reads a parsed form body or query string. A parameter sent twice is invalid_request (RFC 6749 §3.1 and
 * §3.2: "parameters MUST NOT be included more than once"), and is never echoed back.
 */
export function oauthParameters(source: unknown): OAuthParameters {
  const parameters = new Map<string, string>();
  if (source === null || typeof source !== 'object') return parameters;
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    if (Array.isArray(value)) throw new OAuthError('invalid_request', `The parameter ${name} was sent more than once.`, 400, { reason: 'duplicate_parameter' });
    if (typeof value === 'string' && value !== '') parameters.set(name, value);
  }
  return parameters;
}

/** A required parameter, or invalid_request naming it (FusionAuth's `missing_<name>` reason). */
export function requiredParameter(parameters: OAuthParameters, name: string): string {
  const value = parameters.get(name);
  if (value === undefined) throw new OAuthError('invalid_request', `The ${name} parameter is required.`, 400, { reason: `missing_${name}` });
  return value;
}
