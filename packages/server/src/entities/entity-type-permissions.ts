import { randomUUID } from 'node:crypto';
import { FieldErrors } from '../errors/api-error.ts';
import { duplicateFieldError } from '../errors/duplicate-field.ts';
import type { EntityType, EntityTypePermission } from '../store/repositories/entity-type-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { createValidator } from '../validation/validator.ts';
import { permissionSchema } from './entity-schemas.ts';

interface PermissionInput {
  readonly name: string;
  readonly description?: string;
  readonly isDefault: boolean;
  readonly data: Record<string, unknown>;
}

const validateSchema = createValidator<PermissionInput>(permissionSchema, 'permission');

const duplicateField = duplicateFieldError({
  entity_type_permissions_pkey: ['permissionId', 'A permission with this id already exists.'],
  entity_type_permissions_name_key: ['permission.name', 'This entity type already has a permission with this name.'],
});

/** Checks a `permission` body: `[blank]permission.name`, `[tooLong]permission.description` (255)... */
function validatePermission(body: unknown): PermissionInput {
  const input = validateSchema(body);
  if (input.name.trim() === '') new FieldErrors().add('permission.name', 'blank', 'The permission needs a name.').throwIfAny();
  return input;
}

/** POST /api/entity/type/{id}/permission[/{permissionId}]: names are unique per type, exactly as written. */
export async function createPermission(repositories: Repositories, type: EntityType, permissionId: string | undefined, body: unknown, now: number): Promise<EntityTypePermission> {
  const input = validatePermission(body);
  const permission: EntityTypePermission = {
    id: permissionId ?? randomUUID(),
    entityTypeId: type.id,
    name: input.name,
    description: input.description,
    isDefault: input.isDefault,
    data: input.data,
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.entityTypes.insertPermission(permission).catch(duplicateField);
  return permission;
}

/**
 * PUT replaces description, default flag and data; PATCH merges (RFC 7396) or applies JSON Patch. The name
 * never changes (FusionAuth's update body has none): a name in the body is ignored.
 */
export async function updatePermission(
  repositories: Repositories,
  type: EntityType,
  permissionId: string,
  request: { readonly body: unknown; readonly mode: UpdateMode },
  now: number,
): Promise<EntityTypePermission | undefined> {
  const existing = type.permissions.find((permission) => permission.id === permissionId);
  if (existing === undefined) return undefined;
  const { name, description, isDefault, data } = existing;
  const body = updatedBody(request.mode, { name, description, isDefault, data }, request.body, 'permission');
  const input = validatePermission(typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, name } : body);
  const permission: EntityTypePermission = { ...existing, description: input.description, isDefault: input.isDefault, data: input.data, lastUpdateInstant: now };
  return (await repositories.entityTypes.updatePermission(permission)) ? permission : undefined;
}
