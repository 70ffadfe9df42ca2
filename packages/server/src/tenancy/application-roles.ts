import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../errors/api-error.ts';
import type { Application, ApplicationRole } from '../store/repositories/application-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { DuplicateError } from '../store/store-errors.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { createValidator } from '../validation/validator.ts';
import type { RoleInput } from './application-input.ts';
import { roleSchema } from './application-schema.ts';

const validateRoleSchema = createValidator<RoleInput>(roleSchema, 'role');

/** Checks a `role` body; field errors under `role.` (`[blank]role.name`, `[tooLong]role.name`...). */
export function validateRole(body: unknown): RoleInput {
  const role = validateRoleSchema(body);
  if (role.name.trim() === '') new FieldErrors().add('role.name', 'blank', 'The role needs a name.').throwIfAny();
  return { ...role, name: role.name.trim() };
}

function duplicateField(error: unknown): never {
  if (error instanceof DuplicateError && error.constraint === 'application_roles_name_key') {
    throw ApiError.field('role.name', 'duplicate', 'This application already has a role with this name.');
  }
  if (error instanceof DuplicateError) throw ApiError.field('role.id', 'duplicate', 'A role with this id already exists.');
  throw error;
}

/** POST /api/application/{id}/role[/{roleId}]: the URL's role id wins, else a random one. */
export async function createRole(repositories: Repositories, application: Application, roleId: string | undefined, body: unknown, now: number): Promise<ApplicationRole> {
  const input = validateRole(body);
  const role: ApplicationRole = {
    id: roleId ?? randomUUID(),
    name: input.name,
    description: input.description,
    isDefault: input.isDefault,
    isSuperRole: input.isSuperRole,
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.applications.insertRole(application.id, role).catch(duplicateField);
  return role;
}

/** PUT replaces the role (omitted flags return to false); PATCH merges (RFC 7396) or applies JSON Patch (RFC 6902) to the current role first. */
export async function updateRole(
  repositories: Repositories,
  application: Application,
  roleId: string,
  request: { readonly body: unknown; readonly mode: UpdateMode },
  now: number,
): Promise<ApplicationRole | undefined> {
  const existing = application.roles.find((role) => role.id === roleId);
  if (existing === undefined) return undefined;
  const { id: _id, insertInstant: _inserted, lastUpdateInstant: _updated, ...current } = existing;
  const input = validateRole(updatedBody(request.mode, current, request.body, 'role'));
  const role: ApplicationRole = {
    ...existing,
    name: input.name,
    description: input.description,
    isDefault: input.isDefault,
    isSuperRole: input.isSuperRole,
    lastUpdateInstant: now,
  };
  const updated = await repositories.applications.updateRole(application.id, role).catch(duplicateField);
  return updated ? role : undefined;
}
