/**
 * How Gatehouse acts as a client of one upstream provider: its client credentials, scopes, claim names,
 * extra authorize parameters and endpoints, read from the identity provider's settings
 * (identity-provider-schema.ts). OpenIDConnect takes everything from `oauth2`; Google is an OpenID
 * provider at https://accounts.google.com whose `properties.accessType`/`prompt` ask for a refresh token.
 */
import type { KeyRing } from '../keys/key-ring.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import { identityProviderClientSecret } from './identity-providers.ts';
import type { UpstreamMetadata } from './upstream-metadata.ts';

export type UpstreamClientAuthentication = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface UpstreamClaimNames {
  readonly uniqueId: string;
  readonly email: string;
  readonly emailVerified: string;
  readonly username: string;
}

export interface UpstreamClient {
  readonly providerId: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly authentication: UpstreamClientAuthentication;
  readonly scope: string;
  /** Discovery and ID-token issuer; undefined when the endpoints are configured one by one. */
  readonly issuer: string | undefined;
  /** Other spellings of the issuer in ID tokens (Google documents `accounts.google.com` without the scheme). */
  readonly alternativeIssuers: readonly string[];
  readonly multiTenant: boolean;
  readonly claims: UpstreamClaimNames;
  /** Authorize parameters the provider type adds (Google's access_type and prompt). */
  readonly authorizeParameters: Readonly<Record<string, string>>;
  /** FusionAuth's postRequest: the browser POSTs the authorization request instead of a GET redirect. */
  readonly postRequest: boolean;
  readonly explicitEndpoints: { readonly authorization?: string | undefined; readonly token?: string | undefined; readonly userinfo?: string | undefined };
}

/** The endpoints one login uses, discovered or configured. */
export interface UpstreamEndpoints {
  readonly authorization: string;
  readonly token: string;
  readonly userinfo: string | undefined;
  /** Where the ID token's keys are; undefined without discovery (the ID token is then not used, userinfo is). */
  readonly jwksUri: string | undefined;
  /** RFC 9207: the upstream says it sends `iss` with every authorization response, so one without is refused. */
  readonly issParameterSupported: boolean;
}

export const googleIssuer = 'https://accounts.google.com';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function upstreamClient(keyRing: KeyRing, provider: IdentityProvider): UpstreamClient {
  const settings = provider.settings;
  const secret = identityProviderClientSecret(keyRing, provider);
  if (provider.type === 'Google') {
    const properties = (settings['properties'] ?? {}) as Record<string, unknown>;
    const authorizeParameters: Record<string, string> = {};
    const accessType = text(properties['accessType']) ?? 'offline';
    authorizeParameters['access_type'] = accessType;
    // The schema's default too: settings stored without it (direct store writes, older rows) still ask Google
    // for consent, without which it sends a refresh token only at the account's first consent.
    authorizeParameters['prompt'] = text(properties['prompt']) ?? 'consent';
    return {
      providerId: provider.id,
      clientId: text(settings['client_id']) ?? '',
      clientSecret: secret,
      authentication: 'client_secret_post',
      scope: withOpenId(text(settings['scope']) ?? 'openid email profile'),
      issuer: googleIssuer,
      alternativeIssuers: ['accounts.google.com'],
      multiTenant: false,
      claims: { uniqueId: 'sub', email: 'email', emailVerified: 'email_verified', username: 'preferred_username' },
      authorizeParameters,
      postRequest: false,
      explicitEndpoints: {},
    };
  }
  const oauth2 = (settings['oauth2'] ?? {}) as Record<string, unknown>;
  const scope = text(oauth2['scope']) ?? 'openid';
  return {
    providerId: provider.id,
    clientId: text(oauth2['client_id']) ?? '',
    clientSecret: secret,
    authentication: (text(oauth2['clientAuthenticationMethod']) ?? 'client_secret_basic') as UpstreamClientAuthentication,
    scope,
    issuer: text(oauth2['issuer']),
    alternativeIssuers: [],
    multiTenant: oauth2['microsoftMultiTenant'] === true,
    claims: {
      uniqueId: text(oauth2['uniqueIdClaim']) ?? 'sub',
      email: text(oauth2['emailClaim']) ?? 'email',
      emailVerified: text(oauth2['emailVerifiedClaim']) ?? 'email_verified',
      username: text(oauth2['usernameClaim']) ?? 'preferred_username',
    },
    // OIDC Core §11: a request for offline_access must carry prompt=consent, or the provider ignores it.
    authorizeParameters: scope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {},
    postRequest: settings['postRequest'] === true,
    explicitEndpoints: { authorization: text(oauth2['authorization_endpoint']), token: text(oauth2['token_endpoint']), userinfo: text(oauth2['userinfo_endpoint']) },
  };
}

function withOpenId(scope: string): string {
  return scope.split(' ').includes('openid') ? scope : `openid ${scope}`;
}

/** The endpoints: from the issuer's discovery document when there is an issuer (explicit ones are then ignored, as FusionAuth does). */
export async function upstreamEndpoints(client: UpstreamClient, metadata: UpstreamMetadata): Promise<UpstreamEndpoints> {
  if (client.issuer === undefined) {
    return {
      authorization: client.explicitEndpoints.authorization ?? '',
      token: client.explicitEndpoints.token ?? '',
      userinfo: client.explicitEndpoints.userinfo,
      jwksUri: undefined,
      issParameterSupported: false,
    };
  }
  const document = await metadata.metadata(client.issuer, { multiTenant: client.multiTenant });
  return {
    authorization: document.authorization_endpoint,
    token: document.token_endpoint,
    userinfo: document.userinfo_endpoint,
    jwksUri: document.jwks_uri,
    issParameterSupported: document.authorization_response_iss_parameter_supported === true,
  };
}

/** Whether the provider may be used to sign in to the application: enabled, and enabled for it. */
export function enabledForApplication(provider: IdentityProvider, applicationId: string): boolean {
  const configuration = (provider.settings['applicationConfiguration'] ?? {}) as Record<string, { enabled?: boolean }>;
  return provider.enabled && configuration[applicationId]?.enabled === true;
}

/** FusionAuth's createRegistration (default true): register a user who signs in through the provider to the application. */
export function createsRegistration(provider: IdentityProvider, applicationId: string): boolean {
  const configuration = (provider.settings['applicationConfiguration'] ?? {}) as Record<string, { createRegistration?: boolean }>;
  return configuration[applicationId]?.createRegistration !== false;
}

/** The SSO session's and tokens' authenticationType, FusionAuth's values. */
export function authenticationTypeOf(provider: IdentityProvider): string {
  switch (provider.type) {
    case 'Google':
      return 'GOOGLE';
    case 'ExternalJWT':
      return 'FEDERATED_JWT';
    default:
      return 'OPENID_CONNECT';
  }
}

/**
 * RFC 9207 §2.4: the `iss` of an authorization response must be the provider's issuer, by simple string
 * comparison (BRK-03), so a response from another provider (mix-up) is refused before its code is redeemed.
 * A multi-tenant Entra provider answers with its user's tenant issuer: the ID token's `tid` pins it later.
 */
export function isResponseIssuer(client: Pick<UpstreamClient, 'issuer' | 'multiTenant'>, iss: string): boolean {
  if (client.issuer === undefined) return true;
  if (client.multiTenant) return /^https:\/\/login\.microsoftonline\.com\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/v2\.0$/.test(iss);
  return iss === client.issuer;
}
