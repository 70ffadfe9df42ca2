import type { Application } from '../../store/repositories/application-repository.ts';
import type { ApplicationSettings } from '../../tenancy/application-settings.ts';
import { providedScopes } from '../../tenancy/application-schema.ts';
import { devicePath } from '../device/device-interaction.ts';
import { openIdScopes } from '../scopes/requested-scopes.ts';
import {
  applicationTypes,
  registrableGrantTypes,
  registrableResponseTypes,
  type ClientMetadata,
  type RegistrableGrantType,
  type RegistrableResponseType,
  type TokenEndpointAuthMethod,
} from './client-metadata.ts';

/*
 * How registered client metadata maps onto a Gatehouse application, and back. Metadata with a FusionAuth
 * field lives there (redirect_uris → authorizedRedirectURLs, grant_types → enabledGrants,
 * token_endpoint_auth_method → clientAuthenticationPolicy, scope → providedScopePolicy + custom scopes),
 * so what an administrator changes through /api/application shows in RFC 7592 reads. The rest is kept
 * under `application.data.clientMetadata` in the RFC's names.
 */

/** The key of `application.data` holding the metadata FusionAuth has no field for (documented in docs/oauth.md). */
export const clientMetadataKey = 'clientMetadata';

/** The fields kept in `data.clientMetadata`. */
const storedFields = ['client_name', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'contacts', 'application_type', 'token_endpoint_auth_method', 'response_types', 'software_id', 'software_version'] as const;

/** Custom scope values: the ones OpenID Connect does not define. */
export function customScopeValues(metadata: ClientMetadata): string[] {
  return (metadata.scope ?? []).filter((value) => !(openIdScopes as readonly string[]).includes(value));
}

function storedMetadata(metadata: ClientMetadata): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  for (const field of storedFields) if (metadata[field] !== undefined) stored[field] = metadata[field];
  return stored;
}

/**
 * The `application` body (FusionAuth's shape, for validateApplication) of a registered client. A
 * dynamically registered client is third party (its users see the consent page) and gets exact redirect
 * URI matching; a public client (`none`) must use PKCE, a confidential one may skip it when it
 * authenticates. On an update, `current` keeps every setting the metadata does not decide.
 */
export function applicationBody(
  metadata: ClientMetadata,
  options: { readonly name: string; readonly clientSecret: string | undefined; readonly baseUrl: string; readonly current?: ApplicationSettings | undefined },
): Record<string, unknown> {
  const current = options.current;
  const confidential = metadata.token_endpoint_auth_method !== 'none';
  const scope = metadata.scope;
  const providedScopePolicy = Object.fromEntries(
    providedScopes.map((name) => [name, { required: current?.oauthConfiguration.providedScopePolicy[name].required ?? false, enabled: scope === undefined || scope.includes(name) }]),
  );
  const device = metadata.grant_types.includes('urn:ietf:params:oauth:grant-type:device_code');
  return {
    ...current,
    name: options.name,
    oauthConfiguration: {
      ...current?.oauthConfiguration,
      authorizedRedirectURLs: metadata.redirect_uris,
      authorizedURLValidationPolicy: 'ExactMatch',
      enabledGrants: metadata.grant_types,
      clientAuthenticationPolicy: confidential ? 'Required' : 'NotRequired',
      proofKeyForCodeExchangePolicy: confidential ? 'NotRequiredWhenUsingClientAuthentication' : 'Required',
      relationship: 'ThirdParty',
      unknownScopePolicy: 'Reject',
      generateRefreshTokens: metadata.grant_types.includes('refresh_token'),
      providedScopePolicy,
      // The hosted device page: a registered client with the device grant sends its users there.
      ...(device ? { deviceVerificationURL: current?.oauthConfiguration.deviceVerificationURL ?? `${options.baseUrl}${devicePath}` } : {}),
      ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    },
    data: { ...current?.data, [clientMetadataKey]: storedMetadata(metadata) },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `data.clientMetadata` as stored, tolerant of an administrator having edited or removed it. */
export function storedClientMetadata(application: Pick<Application, 'settings'>): Readonly<Record<string, unknown>> {
  const stored = application.settings.data[clientMetadataKey];
  return isRecord(stored) ? stored : {};
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The registered metadata of an application, in the RFC's names (for RFC 7591 / 7592 responses). */
export function clientMetadataOf(application: Application, customScopes: readonly string[]): ClientMetadata {
  const oauth = application.settings.oauthConfiguration;
  const stored = storedClientMetadata(application);
  const grantTypes = oauth.enabledGrants.filter((grant): grant is RegistrableGrantType => (registrableGrantTypes as readonly string[]).includes(grant));
  const storedTypes = Array.isArray(stored['response_types']) ? stored['response_types'].filter((type): type is RegistrableResponseType => (registrableResponseTypes as readonly unknown[]).includes(type)) : undefined;
  const storedMethod = text(stored['token_endpoint_auth_method']);
  const method: TokenEndpointAuthMethod =
    oauth.clientAuthenticationPolicy === 'NotRequired' ? 'none' : storedMethod === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic';
  const standard = openIdScopes.filter((scope) =>
    scope === 'openid' ? true : scope === 'offline_access' ? grantTypes.includes('refresh_token') : oauth.providedScopePolicy[scope].enabled,
  );
  const applicationType = text(stored['application_type']);
  return {
    redirect_uris: oauth.authorizedRedirectURLs,
    grant_types: grantTypes,
    response_types: storedTypes ?? (grantTypes.includes('authorization_code') ? ['code'] : []),
    token_endpoint_auth_method: method,
    scope: [...standard, ...customScopes],
    application_type: applicationType === 'native' ? 'native' : applicationTypes[0],
    client_name: text(stored['client_name']),
    client_uri: text(stored['client_uri']),
    logo_uri: text(stored['logo_uri']),
    policy_uri: text(stored['policy_uri']),
    tos_uri: text(stored['tos_uri']),
    contacts: Array.isArray(stored['contacts']) ? stored['contacts'].filter((contact): contact is string => typeof contact === 'string') : undefined,
    software_id: text(stored['software_id']),
    software_version: text(stored['software_version']),
  };
}

/**
 * The client information response (RFC 7591 §3.2.1, RFC 7592 §3): the registered metadata plus the
 * client id and, when just issued, the secret and the registration access token. A confidential client's
 * secret never expires (`client_secret_expires_at: 0`).
 */
export function clientInformation(
  application: Application,
  customScopes: readonly string[],
  options: { readonly baseUrl: string; readonly clientSecret?: string | undefined; readonly registrationAccessToken?: string | undefined },
): Record<string, unknown> {
  const metadata = clientMetadataOf(application, customScopes);
  const { scope, ...rest } = metadata;
  const confidential = metadata.token_endpoint_auth_method !== 'none';
  const response: Record<string, unknown> = {
    client_id: application.id,
    client_id_issued_at: Math.floor(application.insertInstant / 1000),
    ...(confidential && options.clientSecret !== undefined ? { client_secret: options.clientSecret } : {}),
    ...(confidential ? { client_secret_expires_at: 0 } : {}),
    ...(options.registrationAccessToken === undefined ? {} : { registration_access_token: options.registrationAccessToken }),
    registration_client_uri: `${options.baseUrl}/oauth2/register/${application.id}`,
    scope: scope?.join(' '),
  };
  for (const [field, value] of Object.entries(rest)) if (value !== undefined) response[field] = value;
  return response;
}
