import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import { OAuthError } from '../../errors/oauth-error.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { ApplicationScope } from '../../store/repositories/application-scope-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import { oauthParameters, type OAuthParameters } from '../form-parameters.ts';
import { isPkceValue } from '../pkce.ts';
import { parseScope, resolveScopes } from '../scopes/requested-scopes.ts';
import { redirectUriAllowed } from './redirect-uri-match.ts';

export type ResponseType = 'code' | 'token' | 'id_token' | 'id_token token';
export type ResponseMode = 'query' | 'fragment' | 'form_post';
export type Prompt = 'none' | 'login' | 'consent' | 'select_account';

/** Where and how an authorization response (success or error) reaches the client. */
export interface ResponseTarget {
  readonly redirectUri: string;
  readonly mode: ResponseMode;
  /** Echoed byte for byte (RFC 6749 §4.1.2), unless it was itself the duplicated parameter. */
  readonly state: string | undefined;
  /** RFC 9207: the issuer on every authorization response. */
  readonly issuer: string;
}

/** A client and redirect URI Gatehouse may answer to: from here on, errors are redirected. */
export interface TrustedClient {
  readonly application: Application;
  readonly tenant: Tenant;
  readonly redirectUri: string;
}

/** A fully validated authorization request. */
export interface AuthorizationRequest extends TrustedClient {
  readonly target: ResponseTarget;
  readonly responseType: ResponseType;
  /** Requested scopes the application allows (unknownScopePolicy applied), in request order. */
  readonly scopes: readonly string[];
  readonly nonce: string | undefined;
  readonly prompt: ReadonlySet<Prompt>;
  /** Seconds; 0 behaves as prompt=login (OIDC Core §3.1.2.1). */
  readonly maxAge: number | undefined;
  readonly loginHint: string | undefined;
  /** Kept for the federation work: which identity provider the client asked for. */
  readonly idpHint: string | undefined;
  readonly idTokenHint: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: 'S256' | undefined;
  /** The request's own parameters, carried through the login and consent forms and checked again there. */
  readonly carried: OAuthParameters;
}

/** An error found after the redirect URI was trusted: delivered to the client (RFC 6749 §4.1.2.1). */
export class RedirectedError extends Error {
  override readonly name = 'RedirectedError';
  readonly error: OAuthError;
  readonly target: ResponseTarget;
  constructor(error: OAuthError, target: ResponseTarget) {
    super(error.message);
    this.error = error;
    this.target = target;
  }
}

/** The parameters an authorization request is made of: what the login and consent forms carry along. */
export const authorizationParameterNames = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'login_hint',
  'idp_hint',
  'id_token_hint',
  'tenantId',
  'code_challenge',
  'code_challenge_method',
] as const;

/** Parameters sent once, and the names of those sent more than once (AUTHZ-03). */
export interface ReadParameters {
  readonly parameters: OAuthParameters;
  readonly duplicated: readonly string[];
}

/** Reads a query or form body without failing on duplicates: they are reported where they can be redirected. */
export function readParameters(source: unknown): ReadParameters {
  const single: Record<string, unknown> = {};
  const duplicated: string[] = [];
  if (source !== null && typeof source === 'object') {
    for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
      if (Array.isArray(value)) duplicated.push(name);
      else single[name] = value;
    }
  }
  return { parameters: oauthParameters(single), duplicated };
}

/** Only the authorization parameters (form fields such as loginId or csrf_token left out). */
export function carriedParameters(parameters: OAuthParameters): OAuthParameters {
  const carried = new Map<string, string>();
  for (const name of authorizationParameterNames) {
    const value = parameters.get(name);
    if (value !== undefined) carried.set(name, value);
  }
  return carried;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function untrusted(error: 'invalid_request' | 'invalid_client', description: string, reason: string): OAuthError {
  return new OAuthError(error, description, 400, { reason });
}

/**
 * The client and its redirect URI (RFC 6749 §3.1.2, §4.1.2.1; REDIR-01..08). Any failure here is an
 * OAuthError for Gatehouse's own error page: a client that is unknown, or a redirect URI it did not
 * register, never receives a redirect.
 */
export async function trustedClient(settings: Pick<SettingsCache, 'application' | 'tenant'>, read: ReadParameters): Promise<TrustedClient> {
  const { parameters, duplicated } = read;
  if (duplicated.includes('client_id') || duplicated.includes('redirect_uri')) {
    throw untrusted('invalid_request', `The ${duplicated.includes('client_id') ? 'client_id' : 'redirect_uri'} parameter was sent more than once.`, 'duplicate_parameter');
  }
  const clientId = parameters.get('client_id');
  if (clientId === undefined) throw untrusted('invalid_request', 'The client_id parameter is required.', 'missing_client_id');
  const application = uuid.test(clientId) ? await settings.application(clientId.toLowerCase()) : undefined;
  const tenant = application?.active === true ? await settings.tenant(application.tenantId) : undefined;
  if (application === undefined || tenant === undefined) throw untrusted('invalid_client', 'No active application has this client_id.', 'invalid_client_id');
  const redirectUri = parameters.get('redirect_uri');
  // OIDC Core §3.1.2.1 requires it; REDIR-05 [P]: refused even when only one URL is registered.
  if (redirectUri === undefined) throw untrusted('invalid_request', 'The redirect_uri parameter is required.', 'missing_redirect_uri');
  if (!redirectUriAllowed(application.settings.oauthConfiguration, redirectUri)) {
    throw untrusted('invalid_request', 'The redirect_uri is not one of the URLs registered for this application.', 'invalid_redirect_uri');
  }
  return { application, tenant, redirectUri };
}

const responseTypes: Record<string, ResponseType> = { code: 'code', token: 'token', id_token: 'id_token', 'id_token token': 'id_token token' };

/** The response_type values as a set: `token id_token` and `id_token token` are one type (OAuth 2.0 Multiple Response Types §3). */
function responseTypeOf(raw: string | undefined): ResponseType | undefined {
  if (raw === undefined) return undefined;
  const key = [...new Set(raw.split(' ').filter((value) => value !== ''))].sort().join(' ');
  return responseTypes[key];
}

/** RESP-03: anything carrying tokens goes in the fragment by default; codes in the query. */
function defaultMode(responseType: ResponseType | undefined): ResponseMode {
  return responseType === undefined || responseType === 'code' ? 'query' : 'fragment';
}

function responseModeOf(raw: string | undefined, responseType: ResponseType | undefined): ResponseMode | 'invalid' {
  if (raw === undefined) return defaultMode(responseType);
  if (raw !== 'query' && raw !== 'fragment' && raw !== 'form_post') return 'invalid';
  // Never tokens in a query string (OAuth 2.0 Multiple Response Types §2.1).
  if (raw === 'query' && responseType !== undefined && responseType !== 'code') return 'invalid';
  return raw;
}

const prompts: ReadonlySet<string> = new Set(['none', 'login', 'consent', 'select_account']);

function promptOf(raw: string | undefined): Set<Prompt> {
  const values = new Set((raw ?? '').split(' ').filter((value) => value !== ''));
  for (const value of values) {
    if (!prompts.has(value)) throw new OAuthError('invalid_request', `The prompt value ${value} is not supported.`, 400, { reason: 'invalid_prompt' });
  }
  // OIDC Core §3.1.2.1: none with any other value is an error (AUTHZ-12).
  if (values.has('none') && values.size > 1) throw new OAuthError('invalid_request', 'prompt=none cannot be combined with other prompt values.', 400, { reason: 'invalid_prompt' });
  return values as Set<Prompt>;
}

function maxAgeOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  // A non-negative integer of sane size (AUTHZ-13): -1, 1.5, 1e3 and 20-digit values are refused.
  if (!/^\d{1,10}$/.test(raw)) throw new OAuthError('invalid_request', 'max_age must be a non-negative integer number of seconds.', 400, { reason: 'invalid_max_age' });
  return Number(raw);
}

/**
 * RFC 7636 with the S256 method only (AUTHZ-07: `plain` and a missing method are refused, since S256 is
 * the method every client can use, RFC 7636 §4.2). The application's proofKeyForCodeExchangePolicy
 * Required makes a challenge mandatory; NotRequiredWhenUsingClientAuthentication is enforced at the token
 * endpoint, where it is known whether the client authenticates.
 */
function pkceOf(parameters: OAuthParameters, application: Application, responseType: ResponseType): { codeChallenge: string | undefined; codeChallengeMethod: 'S256' | undefined } {
  const challenge = parameters.get('code_challenge');
  const method = parameters.get('code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) throw new OAuthError('invalid_request', 'code_challenge_method was sent without a code_challenge.', 400, { reason: 'missing_code_challenge' });
    if (responseType === 'code' && application.settings.oauthConfiguration.proofKeyForCodeExchangePolicy === 'Required') {
      throw new OAuthError('invalid_request', 'This application requires PKCE: send a code_challenge with code_challenge_method=S256.', 400, { reason: 'missing_code_challenge' });
    }
    return { codeChallenge: undefined, codeChallengeMethod: undefined };
  }
  if (method !== 'S256') {
    throw new OAuthError('invalid_request', 'code_challenge_method must be S256.', 400, { reason: 'invalid_pkce_code_challenge_method' });
  }
  if (!isPkceValue(challenge)) {
    throw new OAuthError('invalid_request', 'code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_", "~".', 400, { reason: 'invalid_pkce_code_challenge' });
  }
  return { codeChallenge: challenge, codeChallengeMethod: 'S256' };
}

/**
 * Everything after the client and redirect URI (AUTHZ-01..17): any failure is a RedirectedError, to be
 * delivered in the response mode the request asked for (or, if that was the problem, its default).
 */
export function authorizationRequest(client: TrustedClient, read: ReadParameters, customScopes: ReadonlyMap<string, ApplicationScope>, issuer: string): AuthorizationRequest {
  const { parameters, duplicated } = read;
  const responseType = responseTypeOf(parameters.get('response_type'));
  const requestedMode = responseModeOf(parameters.get('response_mode'), responseType);
  const target: ResponseTarget = {
    redirectUri: client.redirectUri,
    mode: requestedMode === 'invalid' || duplicated.includes('response_mode') ? defaultMode(responseType) : requestedMode,
    state: duplicated.includes('state') ? undefined : parameters.get('state'),
    issuer,
  };
  try {
    return validated(client, parameters, duplicated, customScopes, target, responseType, requestedMode);
  } catch (error) {
    if (error instanceof OAuthError) throw new RedirectedError(error, target);
    throw error;
  }
}

function validated(
  client: TrustedClient,
  parameters: OAuthParameters,
  duplicated: readonly string[],
  customScopes: ReadonlyMap<string, ApplicationScope>,
  target: ResponseTarget,
  responseType: ResponseType | undefined,
  mode: ResponseMode | 'invalid',
): AuthorizationRequest {
  const { application } = client;
  const oauth = application.settings.oauthConfiguration;
  if (duplicated.length > 0) throw new OAuthError('invalid_request', `The parameter ${duplicated[0]} was sent more than once.`, 400, { reason: 'duplicate_parameter' });
  // AUTHZ-17: request objects are refused explicitly, never ignored.
  if (parameters.has('request')) throw new OAuthError('request_not_supported', 'Request objects are not supported.');
  if (parameters.has('request_uri')) throw new OAuthError('request_uri_not_supported', 'request_uri is not supported.');
  const rawType = parameters.get('response_type');
  if (rawType === undefined) throw new OAuthError('invalid_request', 'The response_type parameter is required.', 400, { reason: 'missing_response_type' });
  if (responseType === undefined) throw new OAuthError('unsupported_response_type', `The response_type ${rawType} is not supported.`, 400, { reason: 'invalid_response_type' });
  const grant = responseType === 'code' ? 'authorization_code' : 'implicit';
  if (!oauth.enabledGrants.includes(grant)) {
    throw new OAuthError('unauthorized_client', `The ${grant} grant is not enabled for this application.`, 400, { reason: 'grant_type_disabled' });
  }
  if (mode === 'invalid') throw new OAuthError('invalid_request', `The response_mode is not supported for response_type ${rawType}.`, 400, { reason: 'invalid_response_mode' });
  const tenantId = parameters.get('tenantId');
  if (tenantId !== undefined && tenantId.toLowerCase() !== client.tenant.id) {
    throw new OAuthError('invalid_request', 'The tenantId is not the tenant of this application.', 400, { reason: 'invalid_tenant_id' });
  }
  const scopes = resolveScopes(application, customScopes, parseScope(parameters.get('scope')));
  const wantsIdToken = responseType === 'id_token' || responseType === 'id_token token';
  if (wantsIdToken && !scopes.includes('openid')) throw new OAuthError('invalid_request', `response_type ${responseType} needs the openid scope.`, 400, { reason: 'missing_required_scope' });
  const nonce = parameters.get('nonce');
  // OIDC Core §3.2.2.1: the implicit flow's ID token must be bound to a nonce (AUTHZ-10).
  if (wantsIdToken && nonce === undefined) throw new OAuthError('invalid_request', 'The nonce parameter is required when an ID token is returned from the authorization endpoint.', 400, { reason: 'missing_nonce' });
  return {
    ...client,
    target,
    responseType,
    scopes,
    nonce,
    prompt: promptOf(parameters.get('prompt')),
    maxAge: maxAgeOf(parameters.get('max_age')),
    loginHint: parameters.get('login_hint'),
    idpHint: parameters.get('idp_hint'),
    idTokenHint: parameters.get('id_token_hint'),
    ...pkceOf(parameters, application, responseType),
    carried: carriedParameters(parameters),
  };
}
