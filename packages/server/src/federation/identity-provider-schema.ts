/**
 * FusionAuth's `identityProvider` object for the types Gatehouse implements, each member with FusionAuth's
 * default. Unknown members (and `id`, `type`, the instants) are dropped; the rules a schema cannot say
 * (URLs, secrets, endpoints without an issuer, application and tenant ids) are checked in
 * identity-providers.ts.
 */

export const identityProviderTypes = ['OpenIDConnect', 'Google', 'ExternalJWT'] as const;
export type IdentityProviderType = (typeof identityProviderTypes)[number];

/** Every IdentityProviderLinkingStrategy value FusionAuth defines. */
export const linkingStrategies = [
  'CreatePendingLink',
  'Disabled',
  'LinkAnonymously',
  'LinkByEmail',
  'LinkByEmailForExistingUser',
  'LinkByUsername',
  'LinkByUsernameForExistingUser',
  'Unsupported',
] as const;

const text = { type: 'string', maxLength: 2048 } as const;
const flag = (fallback: boolean) => ({ type: 'boolean', default: fallback }) as const;
const data = { type: 'object', default: {} } as const;

/** Per application: FusionAuth's enabled (false) and createRegistration (true), button overrides and data. */
const applicationConfiguration = {
  type: 'object',
  default: {},
  maxProperties: 1000,
  propertyNames: { format: 'uuid' },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: { enabled: flag(false), createRegistration: flag(true), buttonText: text, buttonImageURL: text, data },
  },
} as const;

/** Per tenant: the cap on links per user (FusionAuth's default 42 when enabled) and data. */
const tenantConfiguration = {
  type: 'object',
  default: {},
  maxProperties: 1000,
  propertyNames: { format: 'uuid' },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limitUserLinkCount: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: { enabled: flag(false), maximumLinks: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 42 } },
      },
      data,
    },
  },
} as const;

/** Managed domains: the Lookup API's answer for e-mail addresses at them; one provider per domain. */
const domains = { type: 'array', maxItems: 1000, default: [], items: { type: 'string', maxLength: 253 } } as const;

const claimNames = {
  uniqueIdClaim: { ...text, default: 'sub' },
  emailClaim: { ...text, default: 'email' },
  emailVerifiedClaim: { ...text, default: 'email_verified' },
  usernameClaim: { ...text, default: 'preferred_username' },
} as const;

const common = {
  name: { type: 'string', maxLength: 191 },
  enabled: flag(false),
  debug: flag(false),
  linkingStrategy: { enum: linkingStrategies, default: 'LinkByEmail' },
  // Gatehouse extension (see linking-strategy.ts): absent or true, an upstream e-mail links to an existing
  // user only when the upstream asserts email_verified: true; false trusts an e-mail without the claim
  // (FusionAuth's behaviour). An explicit email_verified: false is never trusted.
  linkOnlyVerifiedEmails: { type: 'boolean' },
  // Gatehouse extension for the hub's keep-alive job (docs/hub.md): the upstream drops a refresh token
  // unused for this long (Microsoft: 90 days), so the job refreshes links idle for half of it.
  refreshTokenIdleTimeoutInSeconds: { type: 'integer', minimum: 120, maximum: 315_360_000 },
  // Accepted for compatibility and kept; Gatehouse runs no lambdas.
  lambdaConfiguration: { type: 'object', additionalProperties: false, default: {}, properties: { reconcileId: { type: 'string', format: 'uuid' } } },
  applicationConfiguration,
  tenantConfiguration,
  data,
} as const;

export const openIdConnectSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'oauth2'],
  properties: {
    ...common,
    buttonText: text,
    buttonImageURL: text,
    domains,
    postRequest: flag(false),
    oauth2: {
      type: 'object',
      additionalProperties: false,
      properties: {
        client_id: text,
        client_secret: text,
        clientAuthenticationMethod: { enum: ['client_secret_basic', 'client_secret_post', 'none'], default: 'client_secret_basic' },
        issuer: text,
        authorization_endpoint: text,
        token_endpoint: text,
        userinfo_endpoint: text,
        scope: text,
        ...claimNames,
        // Gatehouse extension (Microsoft Entra ID, issuer .../common/v2.0): the ID token's `iss` must be
        // https://login.microsoftonline.com/{tid}/v2.0 for its own `tid` claim (see microsoft-entra.ts).
        microsoftMultiTenant: { type: 'boolean' },
      },
    },
  },
} as const;

export const googleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    ...common,
    buttonText: { ...text, default: 'Login with Google' },
    client_id: text,
    client_secret: text,
    scope: text,
    loginMethod: { enum: ['UsePopup', 'UseRedirect', 'UseVendorJavaScript'], default: 'UsePopup' },
    properties: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // FusionAuth's Google Identity Services attributes.
        api: text,
        button: text,
        // Gatehouse extensions: what the upstream authorize request asks for, so that Google issues a refresh token.
        accessType: { enum: ['offline', 'online'], default: 'offline' },
        prompt: { ...text, default: 'consent' },
      },
    },
  },
} as const;

/**
 * FusionAuth's ExternalJWT: a JWT issued elsewhere, verified with `keys` (kid → PEM public key or
 * certificate, checked in identity-providers.ts) and reconciled through its claims.
 */
export const externalJwtSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    ...common,
    domains,
    headerKeyParameter: text,
    keys: { type: 'object', default: {}, maxProperties: 100, propertyNames: { maxLength: 255 }, additionalProperties: { type: 'string', maxLength: 16_384 } },
    defaultKeyId: { type: 'string', maxLength: 255 },
    claimMap: { type: 'object', default: {}, maxProperties: 1000, propertyNames: { maxLength: 255 }, additionalProperties: { type: 'string', maxLength: 255 } },
    // FusionAuth's deprecated predecessor of oauth2.uniqueIdClaim; kept as given.
    uniqueIdentityClaim: text,
    // Gatehouse extension: where the verification keys are published, instead of (or besides) `keys`.
    jwksURL: text,
    oauth2: {
      type: 'object',
      additionalProperties: false,
      default: {},
      // The endpoints are informational: the Lookup API returns them for the caller to start its own flow.
      properties: { authorization_endpoint: text, token_endpoint: text, ...claimNames },
    },
  },
} as const;

/** The validated body, any type: the members a type does not have are absent. */
export interface IdentityProviderInput {
  readonly name: string;
  readonly enabled: boolean;
  readonly buttonText?: string;
  readonly buttonImageURL?: string;
  readonly domains?: readonly string[];
  readonly applicationConfiguration: Readonly<Record<string, Record<string, unknown>>>;
  readonly tenantConfiguration: Readonly<Record<string, Record<string, unknown>>>;
  readonly oauth2?: Readonly<Record<string, unknown>> & { readonly client_id?: string; readonly client_secret?: string; readonly clientAuthenticationMethod?: string };
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly [member: string]: unknown;
}
