import { createPublicKey, randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../errors/api-error.ts';
import { duplicateFieldError } from '../errors/duplicate-field.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { isWebUrl } from '../tenancy/authorized-urls.ts';
import { sealOwnedClientSecret, unsealOwnedClientSecret } from '../tenancy/client-secret.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { createValidator } from '../validation/validator.ts';
import { entraMultiTenantIssuers } from './microsoft-entra.ts';
import { externalJwtSchema, googleSchema, identityProviderTypes, openIdConnectSchema, type IdentityProviderInput, type IdentityProviderType } from './identity-provider-schema.ts';

const root = 'identityProvider';

const validators: Record<IdentityProviderType, (value: unknown) => IdentityProviderInput> = {
  OpenIDConnect: createValidator<IdentityProviderInput>(openIdConnectSchema, root),
  Google: createValidator<IdentityProviderInput>(googleSchema, root),
  ExternalJWT: createValidator<IdentityProviderInput>(externalJwtSchema, root),
};

const duplicateField = duplicateFieldError({
  identity_providers_pkey: ['identityProviderId', 'An identity provider with this id already exists.'],
  identity_providers_name_key: ['identityProvider.name', 'An identity provider with this name already exists.'],
});

const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
const domainPattern = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** What a valid body becomes: the columns, the settings stored as JSON, and the secret to seal. */
interface Validated {
  readonly name: string;
  readonly enabled: boolean;
  readonly settings: Record<string, unknown>;
  readonly clientSecret: string | undefined;
}

function readType(body: unknown): IdentityProviderType {
  const type = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['type'] : undefined;
  if (type === undefined || type === null || type === '') throw ApiError.field('identityProvider.type', 'blank', 'The identity provider needs a type.');
  if (!identityProviderTypes.includes(type as IdentityProviderType)) {
    throw ApiError.field('identityProvider.type', 'invalid', `The type must be one of ${identityProviderTypes.join(', ')}.`);
  }
  return type as IdentityProviderType;
}

/** Empty strings mean "not set", as in FusionAuth's admin forms. */
function withoutEmpty(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== ''));
}

function checkUrls(object: Readonly<Record<string, unknown>>, members: readonly string[], prefix: string, errors: FieldErrors): void {
  for (const member of members) {
    const value = object[member];
    if (typeof value === 'string' && !isWebUrl(value)) errors.add(`${prefix}.${member}`, 'invalid', `${prefix}.${member} must be an absolute http or https URL.`);
  }
}

/**
 * Application and tenant ids are lowercased; each must name an existing one, unless the provider already
 * had it (so that a provider whose application has gone can still be edited).
 */
async function checkIds(
  configuration: Readonly<Record<string, Record<string, unknown>>>,
  known: unknown,
  exists: (id: string) => Promise<boolean>,
  field: string,
  errors: FieldErrors,
): Promise<Record<string, Record<string, unknown>>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const [id, value] of Object.entries(configuration)) {
    const previously = typeof known === 'object' && known !== null && Object.hasOwn(known, id.toLowerCase());
    if (!previously && !(await exists(id.toLowerCase()))) errors.add(field, 'invalid', `${field} names ${id}, which does not exist.`);
    result[id.toLowerCase()] = value;
  }
  return result;
}

/**
 * Managed domains, lowercased and deduplicated: host names, each managed by no other provider
 * (FusionAuth's `[duplicate]identityProvider.domains`).
 */
async function checkDomains(repositories: Repositories, given: readonly string[] | undefined, self: string | undefined, errors: FieldErrors): Promise<string[]> {
  const domains = [...new Set((given ?? []).map((domain) => domain.trim().toLowerCase()))];
  if (domains.some((domain) => !domainPattern.test(domain))) {
    errors.add('identityProvider.domains', 'invalid', 'Every domain must be a host name such as example.com.');
    return domains;
  }
  if (domains.length === 0) return domains;
  const taken = new Set((await repositories.identityProviders.list()).filter((provider) => provider.id !== self).flatMap((provider) => managedDomains(provider)));
  const duplicates = domains.filter((domain) => taken.has(domain));
  if (duplicates.length > 0) {
    errors.add('identityProvider.domains', 'duplicate', `The domain(s) [${duplicates.join(', ')}] are managed by another identity provider. A domain may only be managed by one.`);
  }
  return domains;
}

function managedDomains(provider: IdentityProvider): string[] {
  const domains = provider.settings['domains'];
  return Array.isArray(domains) ? domains.filter((domain): domain is string => typeof domain === 'string') : [];
}

/** Each verification key must be a PEM public key or X.509 certificate that node:crypto reads; never a private key. */
function checkKeys(keys: Readonly<Record<string, string>>, errors: FieldErrors): void {
  for (const [kid, pem] of Object.entries(keys)) {
    let readable = !/PRIVATE KEY/.test(pem) && /^\s*-----BEGIN /.test(pem);
    if (readable) {
      try {
        createPublicKey(pem);
      } catch {
        readable = false;
      }
    }
    if (!readable) errors.add('identityProvider.keys', 'invalid', `The key [${kid}] is not a PEM encoded public key or X.509 certificate.`);
  }
}

/** Checks an `identityProvider` body of the given type: the schema, then the rules it cannot say. */
async function validateIdentityProvider(repositories: Repositories, type: IdentityProviderType, body: unknown, previous?: IdentityProvider): Promise<Validated> {
  const { name, enabled, ...input } = validators[type](body);
  const errors = new FieldErrors();
  if (blank(name)) errors.add('identityProvider.name', 'blank', 'The identity provider needs a name.');
  checkUrls(input, ['buttonImageURL'], root, errors);
  const applicationConfiguration = await checkIds(
    input.applicationConfiguration,
    previous?.settings['applicationConfiguration'],
    async (id) => (await repositories.applications.find(id)) !== undefined,
    'identityProvider.applicationConfiguration',
    errors,
  );
  for (const [id, configuration] of Object.entries(applicationConfiguration)) checkUrls(configuration, ['buttonImageURL'], `identityProvider.applicationConfiguration.${id}`, errors);
  const tenantConfiguration = await checkIds(input.tenantConfiguration, previous?.settings['tenantConfiguration'], async (id) => (await repositories.tenants.find(id)) !== undefined, 'identityProvider.tenantConfiguration', errors);
  const settings: Record<string, unknown> = { ...withoutEmpty(input), applicationConfiguration, tenantConfiguration };
  let clientSecret: string | undefined;

  if (type === 'OpenIDConnect') {
    const { client_secret: secret, ...oauth2 } = withoutEmpty(input.oauth2 ?? {});
    const prefix = 'identityProvider.oauth2';
    if (blank(input.buttonText)) errors.add('identityProvider.buttonText', 'blank', 'An OpenID Connect identity provider needs a button text.');
    if (blank(oauth2['client_id'])) errors.add(`${prefix}.client_id`, 'blank', 'The client id at the upstream is required.');
    if (oauth2['clientAuthenticationMethod'] !== 'none') {
      if (blank(secret)) errors.add(`${prefix}.client_secret`, 'blank', `The client secret is required with ${String(oauth2['clientAuthenticationMethod'])}.`);
      clientSecret = secret as string | undefined;
    }
    checkUrls(oauth2, ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint'], prefix, errors);
    // Without an issuer to discover them from, the endpoints must be given.
    if (oauth2['issuer'] === undefined) {
      for (const endpoint of ['authorization_endpoint', 'token_endpoint']) {
        if (oauth2[endpoint] === undefined) errors.add(`${prefix}.${endpoint}`, 'blank', `Without an issuer, ${endpoint} is required.`);
      }
    }
    if (oauth2['microsoftMultiTenant'] === true && !entraMultiTenantIssuers.includes(String(oauth2['issuer']))) {
      errors.add(`${prefix}.microsoftMultiTenant`, 'invalid', `microsoftMultiTenant needs the issuer ${entraMultiTenantIssuers.join(', or ')}.`);
    }
    Object.assign(settings, { oauth2, domains: await checkDomains(repositories, input.domains, previous?.id, errors) });
  } else if (type === 'ExternalJWT') {
    if (blank(input['headerKeyParameter'])) errors.add('identityProvider.headerKeyParameter', 'blank', 'The JWT header parameter naming the key (kid or x5t) is required.');
    checkKeys(input['keys'] as Record<string, string>, errors);
    checkUrls(input, ['jwksURL'], root, errors);
    const oauth2 = withoutEmpty(input.oauth2 ?? {});
    checkUrls(oauth2, ['authorization_endpoint', 'token_endpoint'], 'identityProvider.oauth2', errors);
    Object.assign(settings, { oauth2, domains: await checkDomains(repositories, input.domains, previous?.id, errors) });
  } else {
    if (blank(input.client_id)) errors.add('identityProvider.client_id', 'blank', 'The Google client id is required.');
    if (blank(input.client_secret)) errors.add('identityProvider.client_secret', 'blank', 'The Google client secret is required.');
    clientSecret = input.client_secret;
    delete settings['client_secret'];
  }
  errors.throwIfAny();
  return { name: name.trim(), enabled, settings, clientSecret };
}

function toProvider(keyRing: KeyRing, id: string, type: string, valid: Validated, insertInstant: number, now: number): IdentityProvider {
  const owner = { table: 'identity_providers', id } as const;
  return {
    id,
    type,
    name: valid.name,
    enabled: valid.enabled,
    settings: valid.settings,
    clientSecretSealed: valid.clientSecret === undefined ? undefined : sealOwnedClientSecret(keyRing, owner, valid.clientSecret),
    insertInstant,
    lastUpdateInstant: now,
  };
}

/** The provider's client secret in clear: FusionAuth returns it on retrieve. */
export function identityProviderClientSecret(keyRing: KeyRing, provider: IdentityProvider): string | undefined {
  return provider.clientSecretSealed === undefined ? undefined : unsealOwnedClientSecret(keyRing, { table: 'identity_providers', id: provider.id }, provider.clientSecretSealed);
}

/** FusionAuth's identityProvider object, the secret where the type keeps it (OpenIDConnect: oauth2.client_secret). */
export function identityProviderView(keyRing: KeyRing, provider: IdentityProvider): Record<string, unknown> {
  const secret = identityProviderClientSecret(keyRing, provider);
  const settings: Record<string, unknown> = { ...provider.settings };
  if (secret !== undefined) {
    if (provider.type === 'OpenIDConnect') settings['oauth2'] = { ...(settings['oauth2'] as Record<string, unknown>), client_secret: secret };
    else settings['client_secret'] = secret;
  }
  return { id: provider.id, type: provider.type, name: provider.name, enabled: provider.enabled, ...settings, insertInstant: provider.insertInstant, lastUpdateInstant: provider.lastUpdateInstant };
}

/** POST /api/identity-provider[/{id}]: the URL's id wins, else a random one. */
export async function createIdentityProvider(repositories: Repositories, keyRing: KeyRing, id: string | undefined, body: unknown, now: number): Promise<IdentityProvider> {
  const type = readType(body);
  const providerId = id ?? randomUUID();
  const provider = toProvider(keyRing, providerId, type, await validateIdentityProvider(repositories, type, body), now, now);
  await repositories.identityProviders.insert(provider).catch(duplicateField);
  return provider;
}

/** PUT replaces; PATCH merges (RFC 7396) or applies a JSON Patch to the current object first. The type cannot change. */
export async function updateIdentityProvider(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly id: string; readonly body: unknown; readonly mode: UpdateMode },
  now: number,
): Promise<IdentityProvider | undefined> {
  const existing = await repositories.identityProviders.find(request.id);
  if (existing === undefined) return undefined;
  const body = updatedBody(request.mode, identityProviderView(keyRing, existing), request.body, root);
  const type = readType(body);
  if (type !== existing.type) throw ApiError.field('identityProvider.type', 'invalid', `The type of an identity provider cannot change (it is ${existing.type}).`);
  const provider = toProvider(keyRing, existing.id, type, await validateIdentityProvider(repositories, type, body, existing), existing.insertInstant, now);
  return (await repositories.identityProviders.update(provider).catch(duplicateField)) ? provider : undefined;
}

/**
 * The Lookup API: the enabled provider managing the domain of an e-mail address (the part after its last
 * `@`) or of a bare domain, as FusionAuth's IdentityProviderDetails; undefined when none does.
 */
export async function lookupIdentityProvider(repositories: Repositories, domainOrEmail: string): Promise<Record<string, unknown> | undefined> {
  const domain = domainOrEmail.slice(domainOrEmail.lastIndexOf('@') + 1).trim().toLowerCase();
  if (domain === '') return undefined;
  const provider = (await repositories.identityProviders.list()).find((candidate) => candidate.enabled && managedDomains(candidate).includes(domain));
  if (provider === undefined) return undefined;
  const configuration = (provider.settings['applicationConfiguration'] ?? {}) as Record<string, { enabled?: boolean }>;
  const oauth2 = (provider.settings['oauth2'] ?? {}) as Record<string, unknown>;
  const endpoints = Object.fromEntries(['authorization_endpoint', 'token_endpoint'].filter((name) => oauth2[name] !== undefined).map((name) => [name, oauth2[name]]));
  return {
    id: provider.id,
    name: provider.name,
    type: provider.type,
    oauth2: endpoints,
    applicationIds: Object.entries(configuration).filter(([, value]) => value.enabled === true).map(([id]) => id),
  };
}
