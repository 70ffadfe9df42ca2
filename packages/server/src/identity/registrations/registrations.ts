import { randomUUID } from 'node:crypto';
import { ApiError } from '../../errors/api-error.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { duplicateFieldError } from '../../errors/duplicate-field.ts';
import { updatedBody, type UpdateMode } from '../../validation/update-body.ts';
import { createValidator } from '../../validation/validator.ts';
import { registrationSchema, type RegistrationFields } from './registration-schema.ts';

const validateRegistration = createValidator<RegistrationFields>(registrationSchema, 'registration');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The roles a registration gets: the ones asked for, each of which must exist on the application, or
 * (when none are asked for) the application's default roles.
 */
async function resolveRoles(repositories: Repositories, user: User, fields: RegistrationFields): Promise<string[]> {
  const application = await repositories.applications.find(fields.applicationId);
  if (application === undefined || application.tenantId !== user.tenantId) {
    throw ApiError.field('registration.applicationId', 'invalid', `No application in the user's tenant has the id ${fields.applicationId}.`);
  }
  if (fields.roles === undefined) return application.roles.filter((role) => role.isDefault).map((role) => role.name);
  const known = new Set(application.roles.map((role) => role.name));
  const unknown = fields.roles.filter((role) => !known.has(role));
  if (unknown.length > 0) {
    throw ApiError.field('registration.roles', 'invalid', `The application has no role named ${unknown.map((role) => `[${role}]`).join(', ')}.`);
  }
  return [...new Set(fields.roles)].sort();
}

function dataOf(fields: RegistrationFields): Record<string, unknown> {
  return {
    ...fields.data,
    ...(fields.preferredLanguages === undefined ? {} : { preferredLanguages: fields.preferredLanguages }),
    ...(fields.timezone === undefined ? {} : { timezone: fields.timezone }),
  };
}

/** Registers a user to an application inside the caller's transaction. */
export async function createRegistration(repositories: Repositories, user: User, body: unknown, now: number): Promise<Registration> {
  const fields = validateRegistration(body);
  const registration: Registration = {
    id: fields.id ?? randomUUID(),
    userId: user.id,
    applicationId: fields.applicationId,
    roles: await resolveRoles(repositories, user, fields),
    username: fields.username,
    data: dataOf(fields),
    verified: fields.verified ?? true,
    lastLoginInstant: undefined,
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.registrations.insert(registration).catch(
    duplicateFieldError({
      registrations_pkey: ['registration.id', 'A registration with this id already exists.'],
      registrations_user_id_application_id_key: ['registration.applicationId', 'The user is already registered to this application.'],
    }),
  );
  return registration;
}

/**
 * PUT replaces the registration's fields, PATCH merges them (RFC 7396) or applies JSON Patch (RFC 6902);
 * the application stays. The application is the URL's (`/api/user/registration/{userId}/{applicationId}`),
 * else the body's `registration.applicationId` (a JSON Patch body has none).
 */
export async function updateRegistration(
  repositories: Repositories,
  user: User,
  request: { readonly applicationId: string | undefined; readonly body: unknown; readonly mode: UpdateMode },
  now: number,
): Promise<Registration | undefined> {
  const { body, mode } = request;
  const named = mode === 'json-patch' || typeof body !== 'object' || body === null ? undefined : (body as { applicationId?: unknown }).applicationId;
  const applicationId = request.applicationId ?? named;
  if (typeof applicationId !== 'string') {
    const where = mode === 'json-patch' ? ' (JSON Patch: in the URL, /api/user/registration/{userId}/{applicationId})' : '';
    throw ApiError.field('registration.applicationId', 'blank', `registration.applicationId is required${where}.`);
  }
  // Checked before the lookup: the id column is a uuid, and the database refuses anything else with an error.
  if (!uuid.test(applicationId)) throw ApiError.field('registration.applicationId', 'invalid', 'registration.applicationId must match format "uuid".');
  const existing = await repositories.registrations.find(user.id, applicationId.toLowerCase());
  if (existing === undefined) return undefined;
  const current = { applicationId: existing.applicationId, roles: existing.roles, data: existing.data, ...(existing.username === undefined ? {} : { username: existing.username }) };
  const wanted = updatedBody(mode, current, body, 'registration');
  // The application never changes: an id in the body only finds the registration (and the URL's wins).
  const fields = validateRegistration(typeof wanted === 'object' && wanted !== null && !Array.isArray(wanted) ? { ...wanted, applicationId: existing.applicationId } : wanted);
  const updated: Registration = {
    ...existing,
    roles: await resolveRoles(repositories, user, { ...fields, roles: fields.roles ?? [] }),
    username: fields.username,
    data: dataOf(fields),
    verified: fields.verified ?? existing.verified,
    lastUpdateInstant: now,
  };
  await repositories.registrations.update(updated);
  return updated;
}
