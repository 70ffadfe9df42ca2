import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../../errors/api-error.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { duplicateFieldError } from '../../errors/duplicate-field.ts';
import { updatedBody, type UpdateMode } from '../../validation/update-body.ts';
import { createValidator } from '../../validation/validator.ts';
import { hashPassword } from '../passwords/verify-password.ts';
import { verifiesEmail } from './email-verification.ts';
import { checkUserFields, loginId, profileOf, type UserFields } from './user-input.ts';
import { userSchema } from './user-schema.ts';
import { tenantForNewUser } from './user-tenant.ts';

type ValidUser = UserFields & { readonly tenantId?: string; readonly data: Record<string, unknown> };

const validateUser = createValidator<ValidUser>(userSchema, 'user');

export interface CreateUserRequest {
  readonly user?: unknown;
  readonly sendSetPasswordEmail?: unknown;
  readonly skipVerification?: unknown;
}

const duplicateMessages = {
  users_email_key: ['user.email', 'A user with this email already exists in this tenant.'],
  users_username_key: ['user.username', 'A user with this username already exists in this tenant.'],
  users_pkey: ['user.id', 'A user with this id already exists.'],
} as const;

/** A unique rule broken by a concurrent write, after the checks below passed: the same field error. */
const duplicateField = duplicateFieldError(duplicateMessages);

/** Validates, then reports every taken login id at once (the unique indexes stay the final word). */
async function checkUser(repositories: Repositories, tenantId: string, self: string | undefined, fields: ValidUser, passwordRequired: boolean) {
  const tenant = await repositories.tenants.find(tenantId);
  if (tenant === undefined) throw ApiError.general('TenantIdInvalid', `No tenant has the id ${tenantId}.`);
  const errors = new FieldErrors();
  checkUserFields(fields, errors, 'user', tenant.settings.passwordValidationRules);
  if (passwordRequired && (fields.password ?? '') === '') errors.add('user.password', 'blank', 'You must specify the [user.password] property.');
  const email = loginId(fields.email);
  const username = loginId(fields.username);
  const others = (found: User[]) => found.some((user) => user.id !== self);
  if (email !== undefined && others(await repositories.users.findByEmail(email, tenantId))) errors.add('user.email', 'duplicate', duplicateMessages['users_email_key']![1]);
  if (username !== undefined && others(await repositories.users.findByUsername(username, tenantId))) errors.add('user.username', 'duplicate', duplicateMessages['users_username_key']![1]);
  errors.throwIfAny();
  return { email, username, tenant };
}

/**
 * POST /api/user: a new active user. Without a password only when `sendSetPasswordEmail` is true (the
 * user sets one later). Users start verified unless the tenant's `emailConfiguration.verifyEmail` asks for
 * verification of their email (and the request does not `skipVerification`), or the request says
 * `verified: false`.
 */
export async function createUser(repositories: Repositories, scope: string | undefined, id: string | undefined, request: CreateUserRequest, now: number): Promise<User> {
  const fields = validateUser(request.user);
  const tenantId = await tenantForNewUser(repositories.tenants, scope, fields.tenantId, 'user.tenantId');
  const { email, username, tenant } = await checkUser(repositories, tenantId, undefined, fields, request.sendSetPasswordEmail !== true);
  const verified = request.skipVerification === true || (!(verifiesEmail(tenant) && email !== undefined) && fields.verified !== false);
  const password = (fields.password ?? '') === '' ? undefined : await hashPassword(fields.password!);
  const user: User = {
    id: id ?? randomUUID(),
    tenantId,
    email,
    username,
    password,
    passwordChangeRequired: fields.passwordChangeRequired ?? false,
    passwordLastUpdateInstant: password === undefined ? undefined : now,
    active: true,
    verified,
    verifiedInstant: verified ? now : undefined,
    profile: profileOf(fields),
    expiry: fields.expiry,
    lastLoginInstant: undefined,
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.users.insert(user).catch(duplicateField);
  return user;
}

/** What a PATCH merges into (or JSON-patches): the stored user as the client would write it (never the password). */
function writableView(user: User): Record<string, unknown> {
  return { ...user.profile, email: user.email, username: user.username, passwordChangeRequired: user.passwordChangeRequired, verified: user.verified, expiry: user.expiry };
}

/**
 * PUT replaces the user's fields (omitted ones are cleared); PATCH merges (RFC 7396) or applies JSON Patch
 * (RFC 6902) first. A blank or
 * absent password keeps the current one; a new one follows the tenant's rules and is hashed with argon2id.
 * Active state, tenant and instants are not the body's to change.
 */
export async function updateUser(repositories: Repositories, existing: User, body: unknown, mode: UpdateMode, now: number): Promise<User> {
  const fields = validateUser(updatedBody(mode, writableView(existing), body, 'user'));
  const { email, username } = await checkUser(repositories, existing.tenantId, existing.id, fields, false);
  const newPassword = (fields.password ?? '') === '' ? undefined : await hashPassword(fields.password!);
  const user: User = {
    ...existing,
    email,
    username,
    password: newPassword ?? existing.password,
    passwordLastUpdateInstant: newPassword === undefined ? existing.passwordLastUpdateInstant : now,
    passwordChangeRequired: fields.passwordChangeRequired ?? existing.passwordChangeRequired,
    verified: fields.verified ?? existing.verified,
    verifiedInstant: existing.verifiedInstant ?? (!existing.verified && fields.verified === true ? now : undefined),
    profile: profileOf(fields),
    expiry: fields.expiry,
    lastUpdateInstant: now,
  };
  await repositories.users.update(user).catch(duplicateField);
  return user;
}

/** Soft delete (deactivate) and reactivate: the user stays, only `active` changes. */
export async function setUserActive(repositories: Repositories, existing: User, active: boolean, now: number): Promise<User> {
  const user: User = { ...existing, active, lastUpdateInstant: now };
  await repositories.users.update(user);
  return user;
}
