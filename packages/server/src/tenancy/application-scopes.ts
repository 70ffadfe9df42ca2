import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../errors/api-error.ts';
import type { Application } from '../store/repositories/application-repository.ts';
import type { ApplicationScope } from '../store/repositories/application-scope-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { DuplicateError } from '../store/store-errors.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { createValidator } from '../validation/validator.ts';

/** The scopes OpenID Connect and Gatehouse define themselves: an application cannot redefine them. */
export const reservedScopeNames: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'phone', 'address', 'offline_access']);

/** Prefixes with a meaning of their own in a `scope` parameter (entity grants, device-grant IdP links). */
const reservedScopePrefixes = ['idp-link:', 'source-entity:', 'target-entity:'];

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): printable ASCII but space, `"` and `\`. */
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

const text = { type: 'string', maxLength: 2048 } as const;

export const scopeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string', maxLength: 191 },
    description: text,
    defaultConsentMessage: text,
    defaultConsentDetail: text,
    required: { type: 'boolean', default: false },
    data: { type: 'object', default: {} },
  },
} as const;

/** A checked `scope` body. */
export interface ScopeInput {
  readonly name: string;
  readonly description?: string | undefined;
  readonly defaultConsentMessage?: string | undefined;
  readonly defaultConsentDetail?: string | undefined;
  readonly required: boolean;
  readonly data: Record<string, unknown>;
}

const validateScopeSchema = createValidator<ScopeInput & { id?: string }>(scopeSchema, 'scope');

/** Checks a `scope` body: `[blank]`, `[tooLong]` and `[invalid]scope.name` (reserved or not a scope token). */
export function validateScope(body: unknown): ScopeInput {
  const { id: _id, ...scope } = validateScopeSchema(body);
  const errors = new FieldErrors();
  const name = scope.name;
  if (name.trim() === '') errors.add('scope.name', 'blank', 'The scope needs a name.');
  else if (reservedScopeNames.has(name)) errors.add('scope.name', 'invalid', `The [${[...reservedScopeNames].join(', ')}] scope names are reserved.`);
  else if (!scopeToken.test(name)) errors.add('scope.name', 'invalid', 'A scope name is printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3).');
  else if (reservedScopePrefixes.some((prefix) => name.startsWith(prefix))) errors.add('scope.name', 'invalid', `The [${reservedScopePrefixes.join(', ')}] scope prefixes are reserved.`);
  errors.throwIfAny();
  return scope;
}

function duplicateField(error: unknown): never {
  if (error instanceof DuplicateError && error.constraint === 'application_scopes_name_key') {
    throw ApiError.field('scope.name', 'duplicate', 'This application already has a scope with this name.');
  }
  if (error instanceof DuplicateError) throw ApiError.field('scopeId', 'duplicate', 'A scope with this id already exists.');
  throw error;
}

/** New scope rows for an application; ids are fresh unless given. */
export function newScopes(applicationId: string, inputs: readonly (ScopeInput & { readonly id?: string | undefined })[], now: number): ApplicationScope[] {
  return inputs.map((input) => ({
    id: input.id ?? randomUUID(),
    applicationId,
    name: input.name,
    description: input.description,
    defaultConsentMessage: input.defaultConsentMessage,
    defaultConsentDetail: input.defaultConsentDetail,
    required: input.required,
    data: input.data,
    insertInstant: now,
    lastUpdateInstant: now,
  }));
}

/** POST /api/application/{id}/scope[/{scopeId}]: the URL's scope id (unused anywhere) wins, else a random one. */
export async function createScope(repositories: Repositories, application: Application, scopeId: string | undefined, body: unknown, now: number): Promise<ApplicationScope> {
  const input = validateScope(body);
  if (scopeId !== undefined && (await repositories.applicationScopes.idTaken(scopeId))) duplicateField(new DuplicateError('application_scopes_pkey'));
  const [scope] = newScopes(application.id, [{ ...input, id: scopeId }], now);
  await repositories.applicationScopes.insert([scope!]).catch(duplicateField);
  return scope!;
}

/**
 * PUT replaces the scope (omitted fields are cleared, flags return to false); PATCH merges (RFC 7396) or
 * applies JSON Patch (RFC 6902) to the current scope. The name cannot change (FusionAuth: create a new
 * scope instead, since tokens and consents name it); a PUT may leave it out.
 */
export async function updateScope(
  repositories: Repositories,
  application: Application,
  scopeId: string,
  request: { readonly body: unknown; readonly mode: UpdateMode },
  now: number,
): Promise<ApplicationScope | undefined> {
  const existing = await repositories.applicationScopes.find(application.id, scopeId);
  if (existing === undefined) return undefined;
  const { id: _id, applicationId: _application, insertInstant: _inserted, lastUpdateInstant: _updated, ...current } = existing;
  const wanted = updatedBody(request.mode, current, request.body, 'scope');
  const named = typeof wanted === 'object' && wanted !== null && !Array.isArray(wanted) && (wanted as { name?: unknown }).name === undefined ? { ...wanted, name: existing.name } : wanted;
  const input = validateScope(named);
  if (input.name !== existing.name) throw ApiError.field('scope.name', 'invalid', 'The scope name cannot be changed: create a new scope, then delete this one.');
  const scope: ApplicationScope = {
    ...existing,
    description: input.description,
    defaultConsentMessage: input.defaultConsentMessage,
    defaultConsentDetail: input.defaultConsentDetail,
    required: input.required,
    data: input.data,
    lastUpdateInstant: now,
  };
  return (await repositories.applicationScopes.update(scope)) ? scope : undefined;
}

/**
 * An application's custom scopes by name, for the OAuth provider: a requested scope value that is a key
 * here is one of the application's scopes (names are matched exactly, as RFC 6749 §3.3 requires).
 */
export async function applicationScopesByName(repositories: Pick<Repositories, 'applicationScopes'>, applicationId: string): Promise<ReadonlyMap<string, ApplicationScope>> {
  const scopes = await repositories.applicationScopes.listByApplication(applicationId);
  return new Map(scopes.map((scope) => [scope.name, scope]));
}
