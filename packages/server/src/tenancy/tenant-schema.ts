/**
 * The FusionAuth `tenant` object as Gatehouse stores it: the settings the OAuth, login and federation
 * work read, each with FusionAuth's default. Validation applies the defaults and drops unknown fields.
 */
const seconds = (fallback: number, maximum = 31_536_000) => ({ type: 'integer', minimum: 1, maximum, default: fallback }) as const;

export const refreshTokenUsagePolicies = ['Reusable', 'OneTimeUse'] as const;
export const refreshTokenExpirationPolicies = ['Fixed', 'SlidingWindow', 'SlidingWindowWithMaximumLifetime'] as const;
export const expiryUnits = ['MINUTES', 'HOURS', 'DAYS', 'WEEKS', 'MONTHS', 'YEARS'] as const;
/** FusionAuth's SecureGeneratorType. */
export const secureGeneratorTypes = ['randomAlpha', 'randomAlphaNumeric', 'randomBytes', 'randomDigits'] as const;

export const jwtConfigurationSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enabled: { type: 'boolean', default: true },
    timeToLiveInSeconds: seconds(3600),
    refreshTokenTimeToLiveInMinutes: { type: 'integer', minimum: 1, maximum: 5_256_000, default: 43_200 },
    refreshTokenUsagePolicy: { type: 'string', enum: refreshTokenUsagePolicies, default: 'Reusable' },
    refreshTokenExpirationPolicy: { type: 'string', enum: refreshTokenExpirationPolicies, default: 'Fixed' },
    refreshTokenSlidingWindowConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { maximumTimeToLiveInMinutes: { type: 'integer', minimum: 1, maximum: 5_256_000, default: 43_200 } },
    },
    refreshTokenOneTimeUseConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { gracePeriodInSeconds: { type: 'integer', minimum: 0, maximum: 86_399, default: 0 } },
    },
    refreshTokenRevocationPolicy: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        onLoginPrevented: { type: 'boolean', default: true },
        onPasswordChanged: { type: 'boolean', default: true },
        onMultiFactorEnable: { type: 'boolean', default: false },
        onOneTimeTokenReuse: { type: 'boolean', default: false },
      },
    },
    accessTokenKeyId: { type: 'string', format: 'uuid' },
    idTokenKeyId: { type: 'string', format: 'uuid' },
  },
} as const;

export const tenantSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 191 },
    issuer: { type: 'string', minLength: 1, maxLength: 2048 },
    logoutURL: { type: 'string', maxLength: 2048 },
    httpSessionMaxInactiveInterval: seconds(3600),
    jwtConfiguration: jwtConfigurationSchema,
    externalIdentifierConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        authorizationGrantIdTimeToLiveInSeconds: seconds(30, 600),
        changePasswordIdTimeToLiveInSeconds: seconds(600),
        deviceCodeTimeToLiveInSeconds: seconds(300),
        // The device grant's user codes (see oauth/device/user-code.ts): at least 6 characters.
        deviceUserCodeIdGenerator: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            length: { type: 'integer', minimum: 6, maximum: 32, default: 6 },
            type: { type: 'string', enum: secureGeneratorTypes, default: 'randomAlphaNumeric' },
          },
        },
        emailVerificationIdTimeToLiveInSeconds: seconds(86_400),
        externalAuthenticationIdTimeToLiveInSeconds: seconds(300),
        loginIntentTimeToLiveInSeconds: seconds(1800),
        pendingAccountLinkTimeToLiveInSeconds: seconds(3600),
        rememberOAuthScopeConsentChoiceTimeToLiveInSeconds: seconds(2_592_000),
        twoFactorIdTimeToLiveInSeconds: seconds(300),
      },
    },
    emailConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // No email is sent yet: these decide whether new users start unverified and get a verification id.
        verifyEmail: { type: 'boolean', default: false },
        implicitEmailVerificationAllowed: { type: 'boolean', default: true },
      },
    },
    failedAuthenticationConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        tooManyAttempts: { type: 'integer', minimum: 1, maximum: 1000, default: 5 },
        resetCountInSeconds: seconds(60),
        actionDuration: { type: 'integer', minimum: 1, default: 3 },
        actionDurationUnit: { type: 'string', enum: expiryUnits, default: 'MINUTES' },
        userActionId: { type: 'string', format: 'uuid' },
      },
    },
    passwordValidationRules: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        minLength: { type: 'integer', minimum: 1, maximum: 256, default: 8 },
        maxLength: { type: 'integer', minimum: 1, maximum: 256, default: 256 },
        requireMixedCase: { type: 'boolean', default: false },
        requireNonAlpha: { type: 'boolean', default: false },
        requireNumber: { type: 'boolean', default: false },
        validateOnLogin: { type: 'boolean', default: false },
      },
    },
    loginConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { requireAuthentication: { type: 'boolean', default: true } },
    },
    oauthConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // Gatehouse extension (RFC 7591): see docs/oauth.md, "Dynamic client registration".
        dynamicClientRegistration: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: { enabled: { type: 'boolean', default: true }, requireInitialAccessToken: { type: 'boolean', default: true } },
        },
      },
    },
    data: { type: 'object', default: {} },
  },
} as const;
