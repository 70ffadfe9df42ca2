import type { refreshTokenExpirationPolicies, refreshTokenUsagePolicies, secureGeneratorTypes } from './tenant-schema.ts';

export interface JwtConfiguration {
  readonly enabled: boolean;
  readonly timeToLiveInSeconds: number;
  readonly refreshTokenTimeToLiveInMinutes: number;
  readonly refreshTokenUsagePolicy: (typeof refreshTokenUsagePolicies)[number];
  readonly refreshTokenExpirationPolicy: (typeof refreshTokenExpirationPolicies)[number];
  readonly refreshTokenSlidingWindowConfiguration: { readonly maximumTimeToLiveInMinutes: number };
  readonly refreshTokenOneTimeUseConfiguration: { readonly gracePeriodInSeconds: number };
  readonly refreshTokenRevocationPolicy: {
    readonly onLoginPrevented: boolean;
    readonly onPasswordChanged: boolean;
    readonly onMultiFactorEnable: boolean;
    readonly onOneTimeTokenReuse: boolean;
  };
  readonly accessTokenKeyId?: string;
  readonly idTokenKeyId?: string;
}

/** FusionAuth's SecureGeneratorConfiguration. */
export interface SecureGeneratorConfiguration {
  readonly length: number;
  readonly type: (typeof secureGeneratorTypes)[number];
}

/** The lifetimes of one-time identifiers (`...TimeToLiveInSeconds`) and how some of them are generated. */
export interface ExternalIdentifierConfiguration {
  readonly [timeToLive: `${string}TimeToLiveInSeconds`]: number;
  readonly deviceUserCodeIdGenerator: SecureGeneratorConfiguration;
}

/** A tenant's settings after validation: every default filled in (see tenant-schema.ts). */
export interface TenantSettings {
  readonly name: string;
  readonly issuer?: string;
  readonly logoutURL?: string;
  readonly httpSessionMaxInactiveInterval: number;
  readonly jwtConfiguration: JwtConfiguration;
  readonly externalIdentifierConfiguration: ExternalIdentifierConfiguration;
  readonly emailConfiguration: { readonly verifyEmail: boolean; readonly implicitEmailVerificationAllowed: boolean };
  readonly failedAuthenticationConfiguration: {
    readonly tooManyAttempts: number;
    readonly resetCountInSeconds: number;
    readonly actionDuration: number;
    readonly actionDurationUnit: string;
    readonly userActionId?: string;
  };
  readonly passwordValidationRules: {
    readonly minLength: number;
    readonly maxLength: number;
    readonly requireMixedCase: boolean;
    readonly requireNonAlpha: boolean;
    readonly requireNumber: boolean;
    readonly validateOnLogin: boolean;
  };
  readonly loginConfiguration: { readonly requireAuthentication: boolean };
  /** Optional: tenants stored before it existed lack it (read with the defaults: enabled, token required). */
  readonly oauthConfiguration?: {
    readonly dynamicClientRegistration: { readonly enabled: boolean; readonly requireInitialAccessToken: boolean };
  };
  readonly data: Readonly<Record<string, unknown>>;
}
