import { OAuthError } from '../../errors/oauth-error.ts';
import { keyAlgorithms, isKeyAlgorithm } from '../../keys/key-algorithms.ts';
import { deviceCodeGrant } from '../../tenancy/application-schema.ts';
import { validateScope } from '../../tenancy/application-scopes.ts';
import { isWebUrl } from '../../tenancy/authorized-urls.ts';
import { ApiError } from '../../errors/api-error.ts';
import { httpAllowed, redirectUriAllowed } from '../authorization/redirect-uri-match.ts';
import { openIdScopes, parseScope } from '../scopes/requested-scopes.ts';

/*
 * Client metadata (RFC 7591 §2) as a registration or an RFC 7592 update sends it, checked into what
 * Gatehouse registers. Errors are RFC 7591 §3.2.2's: `invalid_redirect_uri`, else `invalid_client_metadata`,
 * each naming the field. Metadata Gatehouse does not know (or does not use) is ignored and not echoed.
 */

/**
 * The grants a registered client may use. `password` (RFC 9700 §2.4: MUST NOT) and `client_credentials`
 * (an entity's grant in Gatehouse, not an application's) are refused by name.
 */
export const registrableGrantTypes = ['authorization_code', 'implicit', 'refresh_token', deviceCodeGrant] as const;
export type RegistrableGrantType = (typeof registrableGrantTypes)[number];

export const tokenEndpointAuthMethods = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof tokenEndpointAuthMethods)[number];

/** The response types /oauth2/authorize answers; `token id_token` is read as `id_token token` (one set). */
export const registrableResponseTypes = ['code', 'token', 'id_token', 'id_token token'] as const;
export type RegistrableResponseType = (typeof registrableResponseTypes)[number];

export const applicationTypes = ['web', 'native'] as const;

/** What Gatehouse registers, in the RFC's names. */
export interface ClientMetadata {
  readonly redirect_uris: readonly string[];
  readonly grant_types: readonly RegistrableGrantType[];
  readonly response_types: readonly RegistrableResponseType[];
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** The scope values the client may request; undefined: every OpenID Connect scope and no custom one. */
  readonly scope: readonly string[] | undefined;
  readonly application_type: (typeof applicationTypes)[number];
  readonly client_name?: string | undefined;
  readonly client_uri?: string | undefined;
  readonly logo_uri?: string | undefined;
  readonly policy_uri?: string | undefined;
  readonly tos_uri?: string | undefined;
  readonly contacts?: readonly string[] | undefined;
  readonly software_id?: string | undefined;
  readonly software_version?: string | undefined;
}

/** The client a PUT (RFC 7592 §2.2) updates: its id and a check of its current secret. */
export interface UpdatedClient {
  readonly clientId: string;
  readonly secretMatches: (presented: string) => boolean;
}

export const maxClientNameLength = 150;
const maxUriLength = 2048;
const maxRedirectUris = 50;
const maxScopeValues = 100;
const maxContacts = 20;

export function invalidMetadata(description: string): OAuthError {
  return new OAuthError('invalid_client_metadata', description);
}

function invalidRedirectUri(description: string): OAuthError {
  return new OAuthError('invalid_redirect_uri', description);
}

type Body = Readonly<Record<string, unknown>>;

/** Absent, or `null` (RFC 7592 §2.2: a null value deletes the field). */
function absent(body: Body, field: string): boolean {
  return body[field] === undefined || body[field] === null;
}

/** PostgreSQL stores neither U+0000 nor a lone surrogate; such text is refused here, never at the database. */
function storable(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

function optionalString(body: Body, field: string, maxLength: number): string | undefined {
  if (absent(body, field)) return undefined;
  const value = body[field];
  if (typeof value !== 'string') throw invalidMetadata(`${field} must be a string.`);
  if (!storable(value)) throw invalidMetadata(`${field} holds a character that cannot be stored.`);
  if (value.length > maxLength) throw invalidMetadata(`${field} is longer than ${maxLength} characters.`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function optionalStringArray(body: Body, field: string, maxItems: number, error: (description: string) => OAuthError = invalidMetadata): string[] | undefined {
  if (absent(body, field)) return undefined;
  const value = body[field];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw error(`${field} must be an array of strings.`);
  if (value.length > maxItems) throw error(`${field} holds more than ${maxItems} values.`);
  const strings = value as string[];
  if (strings.some((item) => !storable(item))) throw error(`${field} holds a character that cannot be stored.`);
  return [...new Set(strings)];
}

function webUrl(body: Body, field: string): string | undefined {
  const value = optionalString(body, field, maxUriLength);
  if (value !== undefined && !isWebUrl(value)) throw invalidMetadata(`${field} must be an absolute http(s) URL without a fragment.`);
  return value;
}

function oneOf<T extends string>(body: Body, field: string, values: readonly T[], fallback: T): T {
  const value = optionalString(body, field, 100) ?? fallback;
  if (!(values as readonly string[]).includes(value)) throw invalidMetadata(`${field} ${value} is not supported; use one of: ${values.join(', ')}.`);
  return value as T;
}

function grantTypesOf(body: Body): RegistrableGrantType[] {
  const values = optionalStringArray(body, 'grant_types', 10) ?? ['authorization_code'];
  if (values.length === 0) throw invalidMetadata('grant_types must name at least one grant type.');
  for (const value of values) {
    if (value === 'password') throw invalidMetadata('grant_types: the password grant is not available to dynamically registered clients (RFC 9700 §2.4).');
    if (value === 'client_credentials') throw invalidMetadata('grant_types: client_credentials belongs to Entities (/api/entity), not to registered clients.');
    if (!(registrableGrantTypes as readonly string[]).includes(value)) {
      throw invalidMetadata(`grant_types: ${value} is not supported; use ${registrableGrantTypes.join(', ')}.`);
    }
  }
  return values as RegistrableGrantType[];
}

/** The set of a response_type value's space-separated names, in one order (OAuth 2.0 Multiple Response Types §3). */
function responseTypeOf(value: string): RegistrableResponseType | undefined {
  const key = value.split(' ').filter((part) => part !== '').sort().join(' ');
  return key === 'id_token token' ? 'id_token token' : (registrableResponseTypes as readonly string[]).includes(key) ? (key as RegistrableResponseType) : undefined;
}

/**
 * RFC 7591 §2.1: response types and grant types must agree. `code` goes with authorization_code, the
 * implicit ones with implicit; and each redirect-based grant needs its response type. When response_types
 * is omitted it defaults to `code` (RFC 7591 §2), or to none for a client without the authorization_code grant.
 */
function responseTypesOf(body: Body, grantTypes: readonly RegistrableGrantType[]): RegistrableResponseType[] {
  const values = optionalStringArray(body, 'response_types', 10) ?? (grantTypes.includes('authorization_code') ? ['code'] : []);
  const types: RegistrableResponseType[] = [];
  for (const value of values) {
    const type = responseTypeOf(value);
    if (type === undefined) throw invalidMetadata(`response_types: ${value} is not supported; use ${registrableResponseTypes.join(', ')}.`);
    if (!types.includes(type)) types.push(type);
  }
  for (const type of types) {
    const grant = type === 'code' ? 'authorization_code' : 'implicit';
    if (!grantTypes.includes(grant)) throw invalidMetadata(`response_types: ${type} needs the ${grant} grant in grant_types (RFC 7591 §2.1).`);
  }
  if (grantTypes.includes('authorization_code') && !types.includes('code')) {
    throw invalidMetadata('grant_types: authorization_code needs the code response type in response_types (RFC 7591 §2.1).');
  }
  if (grantTypes.includes('implicit') && !types.some((type) => type !== 'code')) {
    throw invalidMetadata('grant_types: implicit needs token, id_token or "id_token token" in response_types (RFC 7591 §2.1).');
  }
  return types;
}

/**
 * One redirect URI: no fragment (RFC 6749 §3.1.2), plain http only to loopback (RFC 9700 §2.6, RFC 8252
 * §7.3), a private-use scheme only for `application_type: native` (RFC 8252 §7.1; OIDC Registration §2),
 * and otherwise one the authorization endpoint could redirect to (redirect-uri-match.ts).
 */
function checkRedirectUri(uri: string, applicationType: ClientMetadata['application_type']): void {
  const shown = JSON.stringify(uri.slice(0, 100));
  if (uri.length > maxUriLength) throw invalidRedirectUri(`redirect_uris: a value is longer than ${maxUriLength} characters.`);
  if (uri.includes('#')) throw invalidRedirectUri(`redirect_uris: ${shown} has a fragment (RFC 6749 §3.1.2).`);
  if (/^http:/i.test(uri) && !httpAllowed(uri)) throw invalidRedirectUri(`redirect_uris: ${shown} uses http on a host other than loopback; use https.`);
  const custom = !/^https?:/i.test(uri);
  if (custom && applicationType !== 'native') throw invalidRedirectUri(`redirect_uris: ${shown} uses a private-use URI scheme, which only application_type native may register.`);
  if (!redirectUriAllowed({ authorizedRedirectURLs: [uri], authorizedURLValidationPolicy: 'ExactMatch' }, uri)) {
    throw invalidRedirectUri(`redirect_uris: ${shown} is not an absolute URI this server can redirect to.`);
  }
}

function redirectUrisOf(body: Body, applicationType: ClientMetadata['application_type'], grantTypes: readonly RegistrableGrantType[]): string[] {
  const uris = optionalStringArray(body, 'redirect_uris', maxRedirectUris, invalidRedirectUri) ?? [];
  if (uris.length === 0 && (grantTypes.includes('authorization_code') || grantTypes.includes('implicit'))) {
    throw invalidRedirectUri('redirect_uris is required for the authorization_code and implicit grants (RFC 7591 §2).');
  }
  for (const uri of uris) checkRedirectUri(uri, applicationType);
  return uris;
}

/** The scope values: OpenID Connect's own, and custom ones under the rules of application scopes. */
function scopeOf(body: Body): string[] | undefined {
  const raw = optionalString(body, 'scope', 10_000);
  if (raw === undefined) return undefined;
  let values: string[];
  try {
    values = parseScope(raw);
  } catch {
    throw invalidMetadata('scope holds a value outside the RFC 6749 §3.3 scope grammar.');
  }
  if (values.length > maxScopeValues) throw invalidMetadata(`scope holds more than ${maxScopeValues} values.`);
  for (const value of values) {
    if ((openIdScopes as readonly string[]).includes(value)) continue;
    try {
      validateScope({ name: value });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      throw invalidMetadata(`scope: ${JSON.stringify(value.slice(0, 100))} cannot be registered (${error.message.replace(/^\S+ /, '')})`);
    }
  }
  return values;
}

/**
 * JWT signing algorithms a client may name: none and HMAC are refused (an HMAC-signed ID token would need
 * Gatehouse's own secret). A supported name is accepted but not registered: ID tokens are signed with the
 * tenant's or the application's key, whose algorithm discovery lists.
 */
function checkAlgorithm(body: Body, field: string): void {
  if (absent(body, field)) return;
  const value = body[field];
  if (typeof value !== 'string' || !isKeyAlgorithm(value) || keyAlgorithms[value].type === 'HMAC') {
    throw invalidMetadata(`${field} must name an asymmetric algorithm this server signs with (see id_token_signing_alg_values_supported).`);
  }
}

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A registration (RFC 7591 §3.1) or, with `updated`, an update (RFC 7592 §2.2: the body must carry the
 * client's own `client_id`, and a `client_secret` only if it is the current one). A new client can choose
 * neither its id nor its secret (DCR-05).
 */
export function parseClientMetadata(body: unknown, updated?: UpdatedClient): ClientMetadata {
  if (!isObject(body)) throw invalidMetadata('The request body must be a JSON object of client metadata (RFC 7591 §3.1).');
  if (updated === undefined) {
    if (!absent(body, 'client_id')) throw invalidMetadata('client_id is assigned by the server; a client cannot choose it (RFC 7591 §3.2.1).');
    if (!absent(body, 'client_secret')) throw invalidMetadata('client_secret is issued by the server; a client cannot choose it (RFC 7591 §3.2.1).');
  } else {
    if (body['client_id'] !== updated.clientId) throw invalidMetadata('client_id must be present and be this client\'s identifier (RFC 7592 §2.2).');
    const secret = body['client_secret'];
    if (secret !== undefined && secret !== null && (typeof secret !== 'string' || !updated.secretMatches(secret))) {
      throw invalidMetadata('client_secret must be the current client secret, or be omitted (RFC 7592 §2.2).');
    }
  }
  if (!absent(body, 'jwks') && !absent(body, 'jwks_uri')) throw invalidMetadata('jwks and jwks_uri must not both be present (RFC 7591 §2).');
  checkAlgorithm(body, 'id_token_signed_response_alg');
  checkAlgorithm(body, 'token_endpoint_auth_signing_alg');
  const applicationType = oneOf(body, 'application_type', applicationTypes, 'web');
  const grantTypes = grantTypesOf(body);
  const responseTypes = responseTypesOf(body, grantTypes);
  return {
    redirect_uris: redirectUrisOf(body, applicationType, grantTypes),
    grant_types: grantTypes,
    response_types: responseTypes,
    token_endpoint_auth_method: oneOf(body, 'token_endpoint_auth_method', tokenEndpointAuthMethods, 'client_secret_basic'),
    scope: scopeOf(body),
    application_type: applicationType,
    client_name: optionalString(body, 'client_name', maxClientNameLength),
    client_uri: webUrl(body, 'client_uri'),
    logo_uri: webUrl(body, 'logo_uri'),
    policy_uri: webUrl(body, 'policy_uri'),
    tos_uri: webUrl(body, 'tos_uri'),
    contacts: optionalStringArray(body, 'contacts', maxContacts)?.map((contact) => {
      if (contact.length > 320 || contact.trim() === '') throw invalidMetadata('contacts: every value is a non-blank string of at most 320 characters.');
      return contact.trim();
    }),
    software_id: optionalString(body, 'software_id', 255),
    software_version: optionalString(body, 'software_version', 255),
  };
}
