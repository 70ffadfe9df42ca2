import { jwtConfigurationSchema } from './tenant-schema.ts';

/**
 * The FusionAuth `application` object as Gatehouse stores it, each setting with FusionAuth's default.
 * Validation applies the defaults and drops unknown fields; the rules a schema cannot say (URL shapes,
 * the device grant's URL) live in application-input.ts.
 */

/**
 * The grants an application may enable. FusionAuth's GrantType enum also lists `client_credentials`
 * and `unknown`, but client credentials belong to entities, not applications, and FusionAuth refuses both here.
 * Token exchange (RFC 8693) is a Gatehouse extension: enabling it is the per-application allow.
 */
export const grantTypes = ['authorization_code', 'implicit', 'password', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange'] as const;
export const deviceCodeGrant = 'urn:ietf:params:oauth:grant-type:device_code';
export const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const clientAuthenticationPolicies = ['Required', 'NotRequired', 'NotRequiredWhenUsingPKCE'] as const;
export const pkcePolicies = ['Required', 'NotRequired', 'NotRequiredWhenUsingClientAuthentication'] as const;
export const authorizedUrlValidationPolicies = ['ExactMatch', 'AllowWildcards'] as const;
export const logoutBehaviors = ['AllApplications', 'RedirectOnly'] as const;
export const relationships = ['FirstParty', 'ThirdParty'] as const;
export const consentModes = ['AlwaysPrompt', 'RememberDecision', 'NeverPrompt'] as const;
export const scopeHandlingPolicies = ['Strict', 'Compatibility'] as const;
export const unknownScopePolicies = ['Reject', 'Remove', 'Allow'] as const;
export const providedScopes = ['address', 'email', 'phone', 'profile'] as const;

const url = { type: 'string', maxLength: 2048 } as const;
const urlList = { type: 'array', default: [], items: url } as const;
const flag = (fallback: boolean) => ({ type: 'boolean', default: fallback }) as const;
const choice = <T extends readonly string[]>(values: T, fallback: T[number]) => ({ type: 'string', enum: values, default: fallback }) as const;
const requirable = (enabled: boolean) =>
  ({ type: 'object', additionalProperties: false, default: {}, properties: { enabled: flag(enabled), required: flag(false) } }) as const;

export const roleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string', maxLength: 191 },
    description: { type: 'string', maxLength: 2048 },
    isDefault: flag(false),
    isSuperRole: flag(false),
  },
} as const;

const oauthConfigurationSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    authorizedOriginURLs: urlList,
    authorizedRedirectURLs: urlList,
    authorizedResourceUris: urlList,
    authorizedURLValidationPolicy: choice(authorizedUrlValidationPolicies, 'ExactMatch'),
    clientAuthenticationPolicy: choice(clientAuthenticationPolicies, 'Required'),
    // Write-only inputs: the secret is sealed apart, the deprecated boolean becomes clientAuthenticationPolicy.
    clientSecret: { type: 'string', maxLength: 1024 },
    requireClientAuthentication: { type: 'boolean' },
    consentMode: choice(consentModes, 'AlwaysPrompt'),
    debug: flag(false),
    deviceVerificationURL: url,
    enabledGrants: { type: 'array', uniqueItems: true, default: ['authorization_code', 'refresh_token'], items: { type: 'string', enum: grantTypes } },
    generateRefreshTokens: flag(true),
    logoutBehavior: choice(logoutBehaviors, 'AllApplications'),
    logoutURL: url,
    proofKeyForCodeExchangePolicy: choice(pkcePolicies, 'NotRequired'),
    providedScopePolicy: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { address: requirable(true), email: requirable(true), phone: requirable(true), profile: requirable(true) },
    },
    relationship: choice(relationships, 'FirstParty'),
    requireRegistration: flag(false),
    scopeHandlingPolicy: choice(scopeHandlingPolicies, 'Strict'),
    unknownScopePolicy: choice(unknownScopePolicies, 'Reject'),
  },
} as const;

const { refreshTokenRevocationPolicy: _tenantOnly, ...sharedJwtProperties } = jwtConfigurationSchema.properties;

/** The tenant's JWT settings; on an application they apply only when `enabled` (default false) says so. */
const applicationJwtConfigurationSchema = { ...jwtConfigurationSchema, properties: { ...sharedJwtProperties, enabled: flag(false) } } as const;

export const applicationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 191 },
    tenantId: { type: 'string', format: 'uuid' },
    oauthConfiguration: oauthConfigurationSchema,
    jwtConfiguration: applicationJwtConfigurationSchema,
    loginConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { allowTokenRefresh: flag(false), generateRefreshTokens: flag(false), requireAuthentication: flag(true) },
    },
    registrationConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: flag(false),
        type: choice(['basic', 'advanced'] as const, 'basic'),
        loginIdType: choice(['email', 'username', 'phoneNumber'] as const, 'email'),
        confirmPassword: flag(false),
        completeRegistration: flag(false),
        formId: { type: 'string', format: 'uuid' },
        birthDate: requirable(false),
        firstName: requirable(false),
        fullName: requirable(false),
        lastName: requirable(false),
        middleName: requirable(false),
        mobilePhone: requirable(false),
        preferredLanguages: requirable(false),
      },
    },
    verifyRegistration: flag(false),
    data: { type: 'object', default: {} },
    // Read on create only, as FusionAuth does: roles change through /api/application/{id}/role.
    roles: { type: 'array', items: roleSchema },
  },
} as const;
