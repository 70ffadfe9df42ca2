import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../errors/api-error.ts';
import { duplicateFieldError } from '../errors/duplicate-field.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { ApiKeyRecord, EndpointPermissions } from '../store/repositories/api-key-repository.ts';
import { httpMethods } from './api-key-permissions.ts';
import { generateApiKeyValue, hashApiKey } from './api-key-secret.ts';

export interface NewApiKey {
  readonly id?: string | undefined;
  /** Caller-chosen value; generated when absent. */
  readonly key?: string | undefined;
  readonly description?: string | undefined;
  readonly permissions?: EndpointPermissions | undefined;
  readonly tenantId?: string | undefined;
  readonly keyManager?: boolean | undefined;
  readonly expirationInstant?: number | undefined;
}

export interface CreatedApiKey {
  readonly record: ApiKeyRecord;
  /** The key value: returned once, never stored. */
  readonly value: string;
  readonly generated: boolean;
}

export const minimumApiKeyLength = 16;

/** The dynamic client registration endpoint: a key allowed to POST there is an initial access token. */
export const registrationEndpointPath = '/oauth2/register';

function validate(input: NewApiKey, now: number): void {
  const errors = new FieldErrors();
  if (input.key !== undefined && input.key.length < minimumApiKeyLength) {
    errors.add('apiKey.key', 'tooShort', `apiKey.key must be at least ${minimumApiKeyLength} characters.`);
  }
  for (const [endpoint, methods] of Object.entries(input.permissions ?? {})) {
    // Besides the management API, a key may be an RFC 7591 initial access token for /oauth2/register.
    if (!endpoint.startsWith('/api/') && endpoint.replace(/\/+$/, '') !== registrationEndpointPath) {
      errors.add('apiKey.permissions.endpoints', 'invalid', `Endpoint ${endpoint} is neither an /api/ path nor ${registrationEndpointPath}.`);
    }
    for (const method of methods) {
      if (!(httpMethods as readonly string[]).includes(method.toUpperCase())) {
        errors.add('apiKey.permissions.endpoints', 'invalid', `Method ${method} of ${endpoint} is not one of ${httpMethods.join(', ')}.`);
      }
    }
  }
  if (input.expirationInstant !== undefined && input.expirationInstant <= now) {
    errors.add('apiKey.expirationInstant', 'invalid', 'apiKey.expirationInstant must be in the future.');
  }
  errors.throwIfAny();
}

function normalizedPermissions(permissions: EndpointPermissions | undefined): EndpointPermissions {
  return Object.fromEntries(Object.entries(permissions ?? {}).map(([endpoint, methods]) => [endpoint, methods.map((method) => method.toUpperCase())]));
}

/** Validates and stores a new API key inside the caller's transaction. Throws ApiError on bad input. */
export async function createApiKey(repositories: Repositories, input: NewApiKey, now: number): Promise<CreatedApiKey> {
  validate(input, now);
  if (input.tenantId !== undefined && (await repositories.tenants.find(input.tenantId)) === undefined) {
    throw ApiError.field('apiKey.tenantId', 'invalid', `No tenant has the id ${input.tenantId}.`);
  }
  const value = input.key ?? generateApiKeyValue();
  const record: ApiKeyRecord = {
    id: input.id ?? randomUUID(),
    keyHash: hashApiKey(value),
    tenantId: input.tenantId,
    description: input.description,
    permissions: normalizedPermissions(input.permissions),
    keyManager: input.keyManager ?? false,
    expirationInstant: input.expirationInstant,
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.apiKeys.insert(record).catch(
    duplicateFieldError({
      api_keys_pkey: ['apiKey.id', 'An API key with this id already exists.'],
      api_keys_key_hash_key: ['apiKey.key', 'An API key with this value already exists.'],
    }),
  );
  return { record, value, generated: input.key === undefined };
}

/**
 * PUT: replaces the description, permissions, key-manager flag and expiry. The value (only its hash is
 * stored), the id and the tenant never change (`[invalid]apiKey.tenantId` when the body names another).
 */
export async function updateApiKey(repositories: Repositories, existing: ApiKeyRecord, input: NewApiKey, now: number): Promise<ApiKeyRecord> {
  validate({ ...input, key: undefined }, now);
  if (input.key !== undefined) throw ApiError.field('apiKey.key', 'invalid', 'The value of an API key cannot change: create a new key instead.');
  if (input.tenantId !== undefined && input.tenantId !== existing.tenantId) {
    throw ApiError.field('apiKey.tenantId', 'invalid', 'The tenant of an API key cannot change.');
  }
  const updated: ApiKeyRecord = {
    ...existing,
    description: input.description,
    permissions: normalizedPermissions(input.permissions),
    keyManager: input.keyManager ?? false,
    expirationInstant: input.expirationInstant,
    lastUpdateInstant: now,
  };
  await repositories.apiKeys.update(updated);
  return updated;
}
