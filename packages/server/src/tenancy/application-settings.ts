import type {
  authorizedUrlValidationPolicies,
  clientAuthenticationPolicies,
  consentModes,
  grantTypes,
  logoutBehaviors,
  pkcePolicies,
  providedScopes,
  relationships,
  scopeHandlingPolicies,
  unknownScopePolicies,
} from './application-schema.ts';
import type { JwtConfiguration } from './tenant-settings.ts';

export type GrantType = (typeof grantTypes)[number];
export type ClientAuthenticationPolicy = (typeof clientAuthenticationPolicies)[number];
export type ProofKeyForCodeExchangePolicy = (typeof pkcePolicies)[number];

export interface Requirable {
  readonly enabled: boolean;
  readonly required: boolean;
}

/** `application.oauthConfiguration` as stored: no client id (it is the application id) and no secret (sealed apart). */
export interface OAuthConfiguration {
  readonly authorizedOriginURLs: readonly string[];
  readonly authorizedRedirectURLs: readonly string[];
  readonly authorizedResourceUris: readonly string[];
  readonly authorizedURLValidationPolicy: (typeof authorizedUrlValidationPolicies)[number];
  readonly clientAuthenticationPolicy: ClientAuthenticationPolicy;
  readonly consentMode: (typeof consentModes)[number];
  readonly debug: boolean;
  readonly deviceVerificationURL?: string;
  readonly enabledGrants: readonly GrantType[];
  readonly generateRefreshTokens: boolean;
  readonly logoutBehavior: (typeof logoutBehaviors)[number];
  readonly logoutURL?: string;
  readonly proofKeyForCodeExchangePolicy: ProofKeyForCodeExchangePolicy;
  readonly providedScopePolicy: Readonly<Record<(typeof providedScopes)[number], Requirable>>;
  readonly relationship: (typeof relationships)[number];
  readonly requireRegistration: boolean;
  readonly scopeHandlingPolicy: (typeof scopeHandlingPolicies)[number];
  readonly unknownScopePolicy: (typeof unknownScopePolicies)[number];
}

/** An application's JWT settings: the tenant's shape minus the tenant-only revocation policy. */
export type ApplicationJwtConfiguration = Omit<JwtConfiguration, 'refreshTokenRevocationPolicy'>;

/** An application's settings after validation: every default filled in (see application-schema.ts). */
export interface ApplicationSettings {
  readonly name: string;
  readonly oauthConfiguration: OAuthConfiguration;
  readonly jwtConfiguration: ApplicationJwtConfiguration;
  readonly loginConfiguration: {
    readonly allowTokenRefresh: boolean;
    readonly generateRefreshTokens: boolean;
    readonly requireAuthentication: boolean;
  };
  readonly registrationConfiguration: Readonly<Record<string, unknown>> & { readonly enabled: boolean };
  readonly verifyRegistration: boolean;
  readonly data: Readonly<Record<string, unknown>>;
}
