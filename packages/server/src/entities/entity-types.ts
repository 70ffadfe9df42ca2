import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../errors/api-error.ts';
import { duplicateFieldError } from '../errors/duplicate-field.ts';
import type { EntityJwtConfiguration, EntityType, EntityTypePermission } from '../store/repositories/entity-type-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { withoutIndices } from '../validation/field-errors.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { createValidator } from '../validation/validator.ts';
import { entityTypeSchema } from './entity-schemas.ts';

interface PermissionInput {
  readonly id?: string;
  readonly name: string;
  readonly description?: string;
  readonly isDefault: boolean;
  readonly data: Record<string, unknown>;
}

interface EntityTypeInput {
  readonly name: string;
  readonly data: Record<string, unknown>;
  readonly jwtConfiguration: EntityJwtConfiguration;
  readonly permissions: readonly PermissionInput[];
}

const validateSchema = createValidator<EntityTypeInput>(entityTypeSchema, 'entityType');

const duplicateField = duplicateFieldError({
  entity_types_pkey: ['entityTypeId', 'An entity type with this id already exists.'],
  entity_types_name_key: ['entityType.name', 'An entity type with this name already exists.'],
  entity_type_permissions_pkey: ['entityType.permissions.id', 'A permission with this id already exists.'],
});

const blank = (value: string | undefined) => value === undefined || value.trim() === '';

/**
 * The key checks of FusionAuth's KeyValidator, on the keys a type names (only when they change, so a type
 * whose key has gone can still be edited): the access-token key must be able to sign, verification keys
 * must exist.
 */
async function checkKeys(repositories: Repositories, jwt: EntityJwtConfiguration, previous: EntityJwtConfiguration | undefined, errors: FieldErrors): Promise<void> {
  if (jwt.accessTokenKeyId !== undefined && jwt.accessTokenKeyId !== previous?.accessTokenKeyId) {
    const key = await repositories.signingKeys.find(jwt.accessTokenKeyId.toLowerCase());
    if (key?.privateSealed === undefined) errors.add('entityType.jwtConfiguration.accessTokenKeyId', 'invalid', 'No key with this id can sign access tokens.');
  }
  const known = new Set(previous?.accessTokenVerificationKeyIds ?? []);
  for (const keyId of jwt.accessTokenVerificationKeyIds) {
    if (known.has(keyId) || (await repositories.signingKeys.find(keyId.toLowerCase())) !== undefined) continue;
    errors.add('entityType.jwtConfiguration.accessTokenVerificationKeyIds', 'cannotVerify', `No key has the id ${keyId}.`);
    break;
  }
}

/** Checks an `entityType` body (field errors under `entityType.`, array members without their index). */
async function validateEntityType(repositories: Repositories, body: unknown, previous: EntityType | undefined): Promise<EntityTypeInput> {
  let input: EntityTypeInput;
  try {
    input = validateSchema(body);
  } catch (error) {
    throw error instanceof ApiError ? withoutIndices(error) : error;
  }
  const errors = new FieldErrors();
  if (blank(input.name)) errors.add('entityType.name', 'blank', 'The entity type needs a name.');
  const jwt = input.jwtConfiguration;
  if (jwt.enabled && !((jwt.timeToLiveInSeconds ?? 0) > 0)) {
    errors.add('entityType.jwtConfiguration.timeToLiveInSeconds', 'invalid', 'With the JWT configuration enabled, timeToLiveInSeconds must be greater than 0.');
  }
  await checkKeys(repositories, jwt, previous?.jwtConfiguration, errors);
  if (input.permissions.some((permission) => blank(permission.name))) errors.add('entityType.permissions.name', 'blank', 'Every permission needs a name.');
  const names = input.permissions.map((permission) => permission.name);
  if (new Set(names).size !== names.length) errors.add('entityType.permissions', 'duplicate', 'Two permissions have the same name.');
  const ids = input.permissions.flatMap((permission) => (permission.id === undefined ? [] : [permission.id.toLowerCase()]));
  if (new Set(ids).size !== ids.length) errors.add('entityType.permissions.id', 'duplicate', 'Two permissions have the same id.');
  errors.throwIfAny();
  return {
    ...input,
    name: input.name.trim(),
    jwtConfiguration: { ...jwt, accessTokenVerificationKeyIds: [...new Set(jwt.accessTokenVerificationKeyIds.map((id) => id.toLowerCase()))] },
  };
}

/** POST /api/entity/type[/{id}]: the type with the permissions the body lists. */
export async function createEntityType(repositories: Repositories, id: string | undefined, body: unknown, now: number): Promise<EntityType> {
  const input = await validateEntityType(repositories, body, undefined);
  const typeId = id ?? randomUUID();
  const permissions: EntityTypePermission[] = input.permissions.map((permission) => ({
    id: permission.id?.toLowerCase() ?? randomUUID(),
    entityTypeId: typeId,
    name: permission.name,
    description: permission.description,
    isDefault: permission.isDefault,
    data: permission.data,
    insertInstant: now,
    lastUpdateInstant: now,
  }));
  const type: EntityType = {
    id: typeId,
    name: input.name,
    data: input.data,
    jwtConfiguration: input.jwtConfiguration,
    permissions: permissions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.entityTypes.insert(type).catch(duplicateField);
  return type;
}

/** What a PATCH merges into: the fields a PUT sends, without the permissions (they have their own API). */
function requestShape(type: EntityType) {
  return { name: type.name, data: type.data, jwtConfiguration: type.jwtConfiguration };
}

/**
 * PUT replaces the name, data and JWT settings; PATCH merges (RFC 7396) or applies JSON Patch first.
 * Permissions in the body are ignored, as FusionAuth does: they change through the permission API.
 */
export async function updateEntityType(
  repositories: Repositories,
  id: string,
  request: { readonly body: unknown; readonly mode: UpdateMode },
  now: number,
): Promise<EntityType | undefined> {
  const existing = await repositories.entityTypes.find(id);
  if (existing === undefined) return undefined;
  const body = updatedBody(request.mode, requestShape(existing), request.body, 'entityType');
  const withoutPermissions = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, permissions: [] } : body;
  const input = await validateEntityType(repositories, withoutPermissions, existing);
  const type: EntityType = { ...existing, name: input.name, data: input.data, jwtConfiguration: input.jwtConfiguration, lastUpdateInstant: now };
  const updated = await repositories.entityTypes.update(type).catch(duplicateField);
  return updated ? type : undefined;
}
