import type { Repositories } from '../../store/repositories/index.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { consumeOneTimeId, issueOneTimeId } from '../one-time-ids.ts';

/** FusionAuth's default for `externalIdentifierConfiguration.emailVerificationIdTimeToLiveInSeconds`. */
const defaultTtlSeconds = 86_400;

/** Whether the tenant verifies emails (`emailConfiguration.verifyEmail`): only then are verification ids issued. */
export function verifiesEmail(tenant: Tenant): boolean {
  return tenant.settings.emailConfiguration.verifyEmail;
}

/**
 * A new email-verification id for the user's current email, valid for the tenant's
 * `emailVerificationIdTimeToLiveInSeconds`. It replaces any earlier one: the user has one current id.
 */
export async function issueEmailVerificationId(
  repositories: Repositories,
  tenant: Tenant,
  user: User & { readonly email: string },
  applicationId: string | undefined,
  now: number,
): Promise<string> {
  const ttl = tenant.settings.externalIdentifierConfiguration['emailVerificationIdTimeToLiveInSeconds'] ?? defaultTtlSeconds;
  await repositories.oneTimeIds.deleteByUser(user.id, 'email-verification');
  return issueOneTimeId(repositories, { kind: 'email-verification', userId: user.id, applicationId, email: user.email.toLowerCase() }, ttl, now);
}

/** Marks the email verified (the first verification's instant stays) and retires the user's verification ids. */
export async function markEmailVerified(repositories: Repositories, user: User, now: number): Promise<User> {
  const verified: User = { ...user, verified: true, verifiedInstant: user.verifiedInstant ?? now, lastUpdateInstant: now };
  await repositories.users.update(verified);
  await repositories.oneTimeIds.deleteByUser(user.id, 'email-verification');
  return verified;
}

/**
 * Verifies the email an unexpired verification id was issued for, using the id up. Undefined when the id
 * is unknown or expired, or the user's email changed since (the id proved access to the old address).
 */
export async function verifyEmailWithId(repositories: Repositories, value: string, now: number): Promise<User | undefined> {
  const record = await consumeOneTimeId(repositories, 'email-verification', value, now);
  if (record === undefined) return undefined;
  const user = await repositories.users.find(record.userId);
  if (user === undefined || user.email === undefined || user.email.toLowerCase() !== record.email) return undefined;
  return markEmailVerified(repositories, user, now);
}

/**
 * FusionAuth's `emailVerificationId` on user create: issued when the tenant verifies emails and the new
 * user starts unverified with an email; undefined otherwise.
 */
export async function verificationIdForNewUser(repositories: Repositories, user: User, applicationId: string | undefined, now: number): Promise<string | undefined> {
  if (user.verified || user.email === undefined) return undefined;
  const tenant = await repositories.tenants.find(user.tenantId);
  if (tenant === undefined || !verifiesEmail(tenant)) return undefined;
  return issueEmailVerificationId(repositories, tenant, { ...user, email: user.email }, applicationId, now);
}
