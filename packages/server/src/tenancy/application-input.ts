import { ApiError, FieldErrors } from '../errors/api-error.ts';
import { withoutIndices } from '../validation/field-errors.ts';
import { createValidator } from '../validation/validator.ts';
import { applicationSchema, deviceCodeGrant } from './application-schema.ts';
import type { ApplicationSettings, OAuthConfiguration } from './application-settings.ts';
import { isOriginUrl, isRedirectUrl, isResourceUri, isWebUrl, isWildcardPattern } from './authorized-urls.ts';

export interface RoleInput {
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  readonly isDefault: boolean;
  readonly isSuperRole: boolean;
}

/** A checked `application` body, split into what is stored as settings and what is handled apart. */
export interface ApplicationInput {
  readonly settings: ApplicationSettings;
  readonly tenantId: string | undefined;
  /** A caller-chosen secret; undefined when blank (generate on create, keep on update). */
  readonly clientSecret: string | undefined;
  readonly roles: readonly RoleInput[];
}

type Validated = ApplicationSettings & {
  tenantId?: string;
  roles?: RoleInput[];
  oauthConfiguration: OAuthConfiguration & { clientSecret?: string; requireClientAuthentication?: boolean };
};

const validateSchema = createValidator<Validated>(applicationSchema, 'application');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * FusionAuth 1.28 replaced `requireClientAuthentication` with `clientAuthenticationPolicy`; an old client
 * sending only the boolean still gets what it meant. Applied to the raw body (before any merge).
 */
export function upgradeDeprecatedFields(body: unknown): unknown {
  if (!isObject(body) || !isObject(body['oauthConfiguration'])) return body;
  const oauth = body['oauthConfiguration'];
  const legacy = oauth['requireClientAuthentication'];
  if (typeof legacy !== 'boolean' || oauth['clientAuthenticationPolicy'] !== undefined) return body;
  return { ...body, oauthConfiguration: { ...oauth, clientAuthenticationPolicy: legacy ? 'Required' : 'NotRequired' } };
}

const blank = (value: string | undefined) => value === undefined || value.trim() === '';

/** Drops blank entries (FusionAuth ignores them) and reports the first entry of the wrong shape. */
function urlList(values: readonly string[], field: string, valid: (value: string) => boolean, errors: FieldErrors): string[] {
  const kept = values.filter((value) => !blank(value));
  const bad = kept.find((value) => !valid(value));
  if (bad !== undefined) errors.add(`application.oauthConfiguration.${field}`, 'invalid', `${JSON.stringify(bad.slice(0, 200))} is not an allowed ${field} value.`);
  return kept;
}

function checkOAuth(oauth: Validated['oauthConfiguration'], errors: FieldErrors): OAuthConfiguration {
  const { clientSecret: _secret, requireClientAuthentication: _legacy, logoutURL, deviceVerificationURL, ...rest } = oauth;
  const wildcards = oauth.authorizedURLValidationPolicy === 'AllowWildcards';
  const checked: { -readonly [K in keyof OAuthConfiguration]: OAuthConfiguration[K] } = {
    ...rest,
    authorizedRedirectURLs: urlList(oauth.authorizedRedirectURLs, 'authorizedRedirectURLs', wildcards ? (v) => isWildcardPattern(v, 'redirect') : isRedirectUrl, errors),
    authorizedOriginURLs: urlList(oauth.authorizedOriginURLs, 'authorizedOriginURLs', wildcards ? (v) => isWildcardPattern(v, 'origin') : isOriginUrl, errors),
    authorizedResourceUris: urlList(oauth.authorizedResourceUris, 'authorizedResourceUris', isResourceUri, errors),
  };
  if (!blank(logoutURL)) {
    if (!isRedirectUrl(logoutURL!)) errors.add('application.oauthConfiguration.logoutURL', 'invalid', 'The logout URL must be an absolute URL without a fragment.');
    checked.logoutURL = logoutURL!;
  }
  if (!blank(deviceVerificationURL)) {
    if (!isWebUrl(deviceVerificationURL!)) errors.add('application.oauthConfiguration.deviceVerificationURL', 'invalid', 'The device verification URL must be an absolute http(s) URL.');
    checked.deviceVerificationURL = deviceVerificationURL!;
  } else if (oauth.enabledGrants.includes(deviceCodeGrant)) {
    errors.add('application.oauthConfiguration.deviceVerificationURL', 'blank', 'The device verification URL is required when the device grant is enabled.');
  }
  return checked;
}

function checkRoles(roles: readonly RoleInput[], errors: FieldErrors): void {
  if (roles.some((role) => blank(role.name))) errors.add('application.roles.name', 'blank', 'Every role needs a name.');
  const names = roles.map((role) => role.name.trim().toLowerCase());
  if (new Set(names).size !== names.length) errors.add('application.roles.name', 'duplicate', 'Two roles have the same name.');
  const ids = roles.flatMap((role) => (role.id === undefined ? [] : [role.id.toLowerCase()]));
  if (new Set(ids).size !== ids.length) errors.add('application.roles.id', 'duplicate', 'Two roles have the same id.');
}

/** Checks an `application` body, fills FusionAuth's defaults, drops unknown fields; field errors under `application.`. */
export function validateApplication(body: unknown): ApplicationInput {
  let validated: Validated;
  try {
    validated = validateSchema(upgradeDeprecatedFields(body));
  } catch (error) {
    throw error instanceof ApiError ? withoutIndices(error) : error;
  }
  const { tenantId, roles = [], oauthConfiguration, ...settings } = validated;
  const errors = new FieldErrors();
  if (blank(settings.name)) errors.add('application.name', 'blank', 'The application needs a name.');
  const oauth = checkOAuth(oauthConfiguration, errors);
  const jwt = settings.jwtConfiguration;
  if (jwt.refreshTokenExpirationPolicy === 'SlidingWindowWithMaximumLifetime' && jwt.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes < jwt.refreshTokenTimeToLiveInMinutes) {
    errors.add('application.jwtConfiguration.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes', 'invalid', 'The maximum lifetime must be at least the refresh token lifetime.');
  }
  checkRoles(roles, errors);
  errors.throwIfAny();
  const secret = oauthConfiguration.clientSecret;
  return { settings: { ...settings, oauthConfiguration: oauth }, tenantId, clientSecret: blank(secret) ? undefined : secret, roles };
}
