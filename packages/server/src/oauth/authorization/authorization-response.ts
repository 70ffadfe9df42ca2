import { renderOAuthError, type OAuthError } from '../../errors/oauth-error.ts';
import type { ResponseTarget } from './authorization-request.ts';

/** The parameters of one authorization response, in order. */
export type ResponseParameters = ReadonlyArray<readonly [name: string, value: string]>;

/** What reaches the client: a redirect (query or fragment) or an auto-submitting form (form_post). */
export type AuthorizationResponse =
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'form_post'; readonly action: string; readonly fields: ResponseParameters };

/** `state` (when the request had one) and `iss` (RFC 9207 §2) close every response, success or error. */
function withStateAndIssuer(target: ResponseTarget, parameters: ResponseParameters): ResponseParameters {
  return [...parameters, ...(target.state === undefined ? [] : [['state', target.state] as const]), ['iss', target.issuer] as const];
}

/**
 * The response in the target's mode. The registered redirect URI is used exactly as sent: parameters are
 * appended to its query (RFC 6749 §3.1.2: a registered query is kept) or put in a fragment it cannot
 * already have.
 */
export function authorizationResponse(target: ResponseTarget, parameters: ResponseParameters): AuthorizationResponse {
  const all = withStateAndIssuer(target, parameters);
  if (target.mode === 'form_post') return { kind: 'form_post', action: target.redirectUri, fields: all };
  const encoded = new URLSearchParams(all.map(([name, value]): [string, string] => [name, value])).toString();
  if (target.mode === 'fragment') return { kind: 'redirect', location: `${target.redirectUri}#${encoded}` };
  const separator = !target.redirectUri.includes('?') ? '?' : target.redirectUri.endsWith('?') || target.redirectUri.endsWith('&') ? '' : '&';
  return { kind: 'redirect', location: `${target.redirectUri}${separator}${encoded}` };
}

/** RFC 6749 §4.1.2.1: error, error_description (printable ASCII only, RESP-07) and FusionAuth's error_reason. */
export function errorResponse(target: ResponseTarget, error: OAuthError): AuthorizationResponse {
  const body = renderOAuthError(error);
  const parameters: Array<readonly [string, string]> = [
    ['error', body.error],
    ['error_description', body.error_description],
  ];
  if (body.error_reason !== undefined) parameters.push(['error_reason', body.error_reason]);
  return authorizationResponse(target, parameters);
}
