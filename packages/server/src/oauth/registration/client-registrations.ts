import { randomUUID } from 'node:crypto';
import { ApiError } from '../../errors/api-error.ts';
import { OAuthError } from '../../errors/oauth-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { Store } from '../../store/store.ts';
import { validateApplication, type ApplicationInput } from '../../tenancy/application-input.ts';
import { newScopes } from '../../tenancy/application-scopes.ts';
import { createApplication, deleteApplication, updateApplication } from '../../tenancy/applications.ts';
import { clientSecretMatches, generateClientSecret, unsealClientSecret } from '../../tenancy/client-secret.ts';
import { invalidMetadata, parseClientMetadata, type ClientMetadata } from './client-metadata.ts';
import { applicationBody, clientInformation, customScopeValues, storedClientMetadata } from './registered-client.ts';
import { generateRegistrationAccessToken, hashRegistrationAccessToken } from './registration-credentials.ts';

export interface ClientRegistrationDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly now: () => number;
}

function nameTaken(error: unknown): boolean {
  return error instanceof ApiError && error.fieldErrors['application.name']?.[0]?.code === '[duplicate]application.name';
}

/**
 * An application rule the body built from metadata still breaks is the client's metadata; a taken name
 * passes through (withUniqueName handles it).
 */
function metadataError(error: unknown): never {
  if (error instanceof ApiError && !nameTaken(error)) throw invalidMetadata(`The metadata does not make a valid client: ${error.message}`);
  throw error;
}

function applicationInput(body: Record<string, unknown>): ApplicationInput {
  try {
    return validateApplication(body);
  } catch (error) {
    return metadataError(error);
  }
}

/**
 * Application names are unique per tenant (case-insensitive), but two clients may well call themselves
 * the same: the client_name is tried first, and when another application holds it, the name gets the
 * client id appended. The unique index decides (a failed insert rolls its transaction back), so two
 * registrations racing for one name cannot both win.
 */
async function withUniqueName<T>(clientId: string, clientName: string | undefined, attempt: (name: string) => Promise<T>): Promise<T> {
  const fallback = `${clientName ?? 'Client'} (${clientId})`;
  if (clientName === undefined) return attempt(fallback);
  try {
    return await attempt(clientName);
  } catch (error) {
    if (!nameTaken(error)) throw error;
    return attempt(fallback);
  }
}

/** The custom scope names of an application, in name order. */
async function customScopeNames(repositories: Pick<Repositories, 'applicationScopes'>, applicationId: string): Promise<string[]> {
  return (await repositories.applicationScopes.listByApplication(applicationId)).map((scope) => scope.name);
}

/** Makes the application's custom scopes exactly `wanted`: the missing ones are added, the others deleted. */
async function syncCustomScopes(repositories: Repositories, applicationId: string, wanted: readonly string[], now: number): Promise<void> {
  const existing = await repositories.applicationScopes.listByApplication(applicationId);
  for (const scope of existing) if (!wanted.includes(scope.name)) await repositories.applicationScopes.delete(applicationId, scope.id);
  const missing = wanted.filter((name) => !existing.some((scope) => scope.name === name));
  if (missing.length > 0) await repositories.applicationScopes.insert(newScopes(applicationId, missing.map((name) => ({ name, required: false, data: {} })), now));
}

/**
 * POST /oauth2/register (RFC 7591 §3): creates the application, its custom scopes and its registration
 * in one transaction. The client secret (for a confidential client) and the registration access token
 * are in this response only.
 */
export async function registerClient(deps: ClientRegistrationDeps, request: { readonly tenantId: string; readonly body: unknown; readonly baseUrl: string }): Promise<Record<string, unknown>> {
  const metadata = parseClientMetadata(request.body);
  const id = randomUUID();
  const clientSecret = generateClientSecret();
  const registrationAccessToken = generateRegistrationAccessToken();
  const custom = customScopeValues(metadata);
  const now = deps.now();
  const application = await withUniqueName(id, metadata.client_name, (name) =>
    deps.store.transaction(async (repositories) => {
      const input = applicationInput(applicationBody(metadata, { name, clientSecret, baseUrl: request.baseUrl }));
      const created = await createApplication(repositories, deps.keyRing, { id, tenantId: request.tenantId, input }, now);
      if (custom.length > 0) await repositories.applicationScopes.insert(newScopes(id, custom.map((value) => ({ name: value, required: false, data: {} })), now));
      await repositories.clientRegistrations.insert({ applicationId: id, tokenHash: hashRegistrationAccessToken(registrationAccessToken), insertInstant: now, lastUpdateInstant: now });
      return created;
    }),
  );
  return clientInformation(application, [...custom].sort(codePointOrder), { baseUrl: request.baseUrl, clientSecret, registrationAccessToken });
}

function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** GET /oauth2/register/{clientId} (RFC 7592 §2.1): the registered metadata, never the secret. */
export async function readClient(deps: Pick<ClientRegistrationDeps, 'store'>, application: Application, baseUrl: string): Promise<Record<string, unknown>> {
  return clientInformation(application, await customScopeNames(deps.store.repositories, application.id), { baseUrl });
}

/** The application name an update keeps or takes: unchanged while client_name is. */
function unchangedName(application: Application, metadata: ClientMetadata): boolean {
  return storedClientMetadata(application)['client_name'] === metadata.client_name;
}

/**
 * PUT /oauth2/register/{clientId} (RFC 7592 §2.2): the metadata is replaced as a whole (an omitted field
 * returns to its default); settings the metadata does not decide (JWT, login, roles...) stay. The secret
 * stays too, except for a public client turning confidential: it is issued a new secret, returned once.
 */
export async function updateClient(deps: ClientRegistrationDeps, application: Application, body: unknown, baseUrl: string): Promise<Record<string, unknown>> {
  const metadata = parseClientMetadata(body, {
    clientId: application.id,
    secretMatches: (presented) => clientSecretMatches(unsealClientSecret(deps.keyRing, application), presented),
  });
  const wasPublic = application.settings.oauthConfiguration.clientAuthenticationPolicy === 'NotRequired';
  const clientSecret = wasPublic && metadata.token_endpoint_auth_method !== 'none' ? generateClientSecret() : undefined;
  const custom = customScopeValues(metadata);
  const now = deps.now();
  const update = (name: string) =>
    deps.store.transaction(async (repositories) => {
      const body = applicationBody(metadata, { name, clientSecret, baseUrl, current: application.settings });
      const updated = await updateApplication(repositories, deps.keyRing, { id: application.id, body, mode: 'replace', scope: undefined }, now).catch(metadataError);
      if (updated === undefined) throw new OAuthError('invalid_token', 'The client no longer exists.', 401, { challenge: 'Bearer realm="gatehouse", error="invalid_token"' });
      await syncCustomScopes(repositories, application.id, custom, now);
      await repositories.clientRegistrations.touch(application.id, now);
      return updated;
    });
  const updated = unchangedName(application, metadata) ? await update(application.settings.name) : await withUniqueName(application.id, metadata.client_name, update);
  return clientInformation(updated, [...custom].sort(codePointOrder), { baseUrl, clientSecret });
}

/** DELETE /oauth2/register/{clientId} (RFC 7592 §2.3): the application goes, with everything hanging off it. */
export async function deleteClient(deps: Pick<ClientRegistrationDeps, 'store'>, application: Application): Promise<void> {
  await deps.store.transaction((repositories) => deleteApplication(repositories, application.id, undefined));
}
