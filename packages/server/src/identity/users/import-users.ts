import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors, type ApiErrorItem } from '../../errors/api-error.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { DuplicateError } from '../../store/store-errors.ts';
import { createValidator } from '../../validation/validator.ts';
import { importableSchemes, importedPassword, isImportHashProblem } from '../passwords/import-hash.ts';
import { hashPassword, type StoredPassword } from '../passwords/verify-password.ts';
import { findImportDuplicates } from './import-duplicates.ts';
import { checkUserFields, loginId, profileOf, type UserFields } from './user-input.ts';
import { importUserSchema } from './user-schema.ts';
import { tenantForNewUser } from './user-tenant.ts';

type ImportedUser = UserFields & {
  readonly id?: string;
  readonly tenantId?: string;
  readonly active?: boolean;
  readonly encryptionScheme?: string;
  readonly factor?: number;
  readonly salt?: string;
  readonly insertInstant?: number;
  readonly passwordLastUpdateInstant?: number;
};

export interface ImportRequest {
  readonly users?: unknown;
  readonly encryptionScheme?: unknown;
  readonly factor?: unknown;
  readonly validateDbConstraints?: unknown;
}

const validateImportedUser = createValidator<ImportedUser>(importUserSchema, 'user');

/** Argon2id runs on libuv's pool (4 threads): more at once only queues. */
const hashingConcurrency = 4;

/** Past this many failing users the answer is long enough to act on; the rest would only bloat it. */
const reportedUsers = 50;

/** Codes stay FusionAuth's (`[blank]user.email`); the message says which entry of `users` is wrong. */
function addIndexed(target: Record<string, ApiErrorItem[]>, index: number, fieldErrors: Record<string, ApiErrorItem[]>): void {
  for (const [field, items] of Object.entries(fieldErrors)) {
    (target[field] ??= []).push(...items.map((item) => ({ ...item, message: `users[${index}]: ${item.message}` })));
  }
}

function checkRequest(request: ImportRequest): unknown[] {
  const errors = new FieldErrors();
  if (!Array.isArray(request.users) || request.users.length === 0) errors.add('users', 'missing', 'You must specify at least one user in the [users] property.');
  // The request-level scheme names how FusionAuth would hash plaintext passwords; Gatehouse always uses argon2id.
  if (request.encryptionScheme !== undefined && !(typeof request.encryptionScheme === 'string' && importableSchemes.includes(request.encryptionScheme))) {
    errors.add('encryptionScheme', 'invalid', `Unsupported encryptionScheme. Supported: ${importableSchemes.join(', ')}.`);
  }
  if (request.factor !== undefined && !Number.isInteger(request.factor)) errors.add('factor', 'invalid', 'The [factor] property must be an integer.');
  errors.throwIfAny();
  return request.users as unknown[];
}

/** The stored password of one imported user: a hash kept as given, or plaintext hashed later. */
function passwordOf(user: ImportedUser, errors: FieldErrors): StoredPassword | string | undefined {
  if (user.password === undefined || user.password === '') return undefined;
  if (user.encryptionScheme === undefined) return user.password;
  const stored = importedPassword(user.encryptionScheme, user.password, user.salt, user.factor);
  if (!isImportHashProblem(stored)) return stored;
  errors.add(`user.${stored.field}`, stored.reason, stored.message);
  return undefined;
}

async function hashPlaintext(pending: Array<{ index: number; plain: string }>, passwords: Map<number, StoredPassword>): Promise<void> {
  for (let start = 0; start < pending.length; start += hashingConcurrency) {
    const chunk = pending.slice(start, start + hashingConcurrency);
    const hashed = await Promise.all(chunk.map(({ plain }) => hashPassword(plain)));
    chunk.forEach(({ index }, n) => passwords.set(index, hashed[n]!));
  }
}

/**
 * POST /api/user/import: every user or none, in the caller's transaction. Imported hashes are stored as
 * given (and upgraded to argon2id at the next successful login); plaintext passwords are hashed with
 * argon2id; FusionAuth applies no password rules here, so neither does Gatehouse. Duplicates inside the
 * request are always refused; duplicates of stored users are named when `validateDbConstraints` is true,
 * otherwise they fail the whole request with FusionAuth's `[ImportRequestFailed]`.
 */
export async function importUsers(repositories: Repositories, scope: string | undefined, request: ImportRequest, now: number): Promise<number> {
  const entries = checkRequest(request);
  const fieldErrors: Record<string, ApiErrorItem[]> = {};
  const drafts: Array<{ user: ImportedUser; tenantId: string; password: StoredPassword | string | undefined }> = [];
  let failing = 0;
  // Most imports name one tenant (or none): look each one up once, not once per user.
  const tenants = new Map<string | undefined, Promise<string>>();
  const tenantFor = (requested: string | undefined) => {
    const key = scope ?? requested;
    if (!tenants.has(key)) tenants.set(key, tenantForNewUser(repositories.tenants, scope, requested, 'user.tenantId'));
    return tenants.get(key)!;
  };
  for (const [index, entry] of entries.entries()) {
    try {
      const errors = new FieldErrors();
      const user = validateImportedUser(entry);
      checkUserFields(user, errors, 'user', undefined);
      const password = passwordOf(user, errors);
      errors.throwIfAny();
      drafts.push({ user, tenantId: await tenantFor(user.tenantId), password });
    } catch (error) {
      if (!(error instanceof ApiError) || Object.keys(error.fieldErrors).length === 0) throw error;
      addIndexed(fieldErrors, index, error.fieldErrors);
      if ((failing += 1) >= reportedUsers) break;
    }
  }
  if (Object.keys(fieldErrors).length > 0) throw new ApiError(400, fieldErrors);

  const users = drafts.map(({ user, tenantId }): User => ({
    id: user.id ?? randomUUID(),
    tenantId,
    email: loginId(user.email),
    username: loginId(user.username),
    password: undefined,
    passwordChangeRequired: user.passwordChangeRequired ?? false,
    passwordLastUpdateInstant: undefined,
    active: user.active ?? false,
    verified: user.verified ?? false,
    profile: profileOf(user),
    expiry: user.expiry,
    lastLoginInstant: undefined,
    insertInstant: user.insertInstant ?? now,
    lastUpdateInstant: now,
  }));
  const duplicates = await findImportDuplicates(repositories, users, request.validateDbConstraints === true);
  if (duplicates !== undefined) throw duplicates;

  const passwords = new Map<number, StoredPassword>();
  const plaintext = drafts.flatMap(({ password }, index) => (typeof password === 'string' ? [{ index, plain: password }] : []));
  drafts.forEach(({ password }, index) => typeof password === 'object' && passwords.set(index, password));
  await hashPlaintext(plaintext, passwords);
  const complete = users.map((user, index): User => {
    const password = passwords.get(index);
    if (password === undefined) return user;
    // A kept hash keeps its history; a password hashed now was (as far as Gatehouse knows) set now.
    const changedAt = typeof drafts[index]!.password === 'string' ? now : (drafts[index]!.user.passwordLastUpdateInstant ?? now);
    return { ...user, password, passwordLastUpdateInstant: changedAt };
  });
  await repositories.users.insertMany(complete).catch((error: unknown) => {
    if (error instanceof DuplicateError) {
      throw ApiError.general(
        'ImportRequestFailed',
        'One or more of the users in the import request already exist. Re-attempt the request with the [validateDbConstraints] property set to true to see which.',
      );
    }
    throw error;
  });
  return complete.length;
}
