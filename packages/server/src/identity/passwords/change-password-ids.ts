import type { Repositories } from '../../store/repositories/index.ts';
import type { OneTimeIdRecord } from '../../store/repositories/one-time-id-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { consumeOneTimeId, findOneTimeId, issueOneTimeId } from '../one-time-ids.ts';

/** FusionAuth's default for `externalIdentifierConfiguration.changePasswordIdTimeToLiveInSeconds`. */
const defaultTtlSeconds = 600;

export interface ChangePasswordIdOptions {
  readonly applicationId?: string | undefined;
  /** Returned unchanged when the password is changed with the id. */
  readonly state?: Readonly<Record<string, unknown>> | undefined;
  /** A caller-chosen id (Forgot Password API with an API key); generated when absent. */
  readonly value?: string | undefined;
}

/**
 * A change-password id for the user, valid for the tenant's `changePasswordIdTimeToLiveInSeconds`, usable
 * once: the Forgot Password workflow and a login that answers 203 hand one out. Throws DuplicateError when
 * a caller-chosen value is taken.
 */
export async function issueChangePasswordId(repositories: Repositories, tenant: Tenant, user: User, options: ChangePasswordIdOptions, now: number): Promise<string> {
  const ttl = tenant.settings.externalIdentifierConfiguration['changePasswordIdTimeToLiveInSeconds'] ?? defaultTtlSeconds;
  return issueOneTimeId(repositories, { kind: 'change-password', userId: user.id, ...options }, ttl, now);
}

/** The unexpired change-password id, without using it up (GET /api/user/change-password/{id}). */
export function findChangePasswordId(repositories: Repositories, value: string, now: number): Promise<OneTimeIdRecord | undefined> {
  return findOneTimeId(repositories, 'change-password', value, now);
}

/** Uses the id up; its record when it was unexpired. */
export function consumeChangePasswordId(repositories: Repositories, value: string, now: number): Promise<OneTimeIdRecord | undefined> {
  return consumeOneTimeId(repositories, 'change-password', value, now);
}
