import { ApiError, type ApiErrorItem } from '../../errors/api-error.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { User } from '../../store/repositories/user-repository.ts';

const keys = ['id', 'email', 'username'] as const;
type Key = (typeof keys)[number];

/** Values that occur more than once, compared as the unique indexes compare them (login ids per tenant, any case). */
function repeated(users: readonly User[], key: Key): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const user of users) {
    const value = user[key];
    if (value === undefined) continue;
    const normalized = key === 'id' ? value.toLowerCase() : `${user.tenantId}/${value.toLowerCase()}`;
    if (seen.has(normalized)) twice.add(value);
    seen.add(normalized);
  }
  return [...twice];
}

function list(values: readonly string[]): string {
  return `[${values.slice(0, 20).join(', ')}${values.length > 20 ? ', ...' : ''}]`;
}

async function takenInStore(repositories: Repositories, users: readonly User[]): Promise<Record<Key, string[]>> {
  const taken: Record<Key, string[]> = { id: [], email: [], username: [] };
  for (const [tenantId, group] of Map.groupBy(users, (user) => user.tenantId)) {
    const found = await repositories.users.findTaken(
      tenantId,
      group.map((user) => user.id),
      group.flatMap((user) => (user.email === undefined ? [] : [user.email])),
      group.flatMap((user) => (user.username === undefined ? [] : [user.username])),
    );
    taken.id.push(...found.ids);
    taken.email.push(...found.emails);
    taken.username.push(...found.usernames);
  }
  return taken;
}

/**
 * Why these users cannot all be inserted, or undefined. Repeats inside the request are always refused with
 * `[invalid]user.email` "Duplicate user email(s) were supplied" (FusionAuth's code and wording). Clashes
 * with stored users are looked up only with `validateDbConstraints` (`[duplicate]user.email`); without
 * it the insert itself fails and the caller answers `[ImportRequestFailed]`, as FusionAuth does.
 */
export async function findImportDuplicates(repositories: Repositories, users: readonly User[], validateDbConstraints: boolean): Promise<ApiError | undefined> {
  const fieldErrors: Record<string, ApiErrorItem[]> = {};
  const report = (key: Key, reason: string, message: string) => {
    fieldErrors[`user.${key}`] = [{ code: `[${reason}]user.${key}`, message }];
  };
  for (const key of keys) {
    const values = repeated(users, key);
    if (values.length > 0) report(key, 'invalid', `Duplicate user ${key}(s) were supplied: ${list(values)}.`);
  }
  if (Object.keys(fieldErrors).length === 0 && validateDbConstraints) {
    const taken = await takenInStore(repositories, users);
    for (const key of keys) {
      if (taken[key].length > 0) report(key, 'duplicate', `A user with the ${key}(s) ${list(taken[key])} already exists.`);
    }
  }
  return Object.keys(fieldErrors).length === 0 ? undefined : new ApiError(400, fieldErrors);
}
