import type { Repositories } from '../store/repositories/index.ts';
import type { LoginFailures } from '../store/repositories/login-failure-repository.ts';
import type { TenantSettings } from '../tenancy/tenant-settings.ts';

type LockoutPolicy = TenantSettings['failedAuthenticationConfiguration'];

const unitMillis: Record<string, number> = {
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
  WEEKS: 604_800_000,
  MONTHS: 2_592_000_000,
  YEARS: 31_536_000_000,
};

/** Longer locks are cut to this: the lock's end must stay an instant the store can hold (a bigint). */
const maxLockMillis = 100 * unitMillis['YEARS']!;

/** How long a lock lasts under the tenant's policy. */
export function lockDurationMillis(policy: LockoutPolicy): number {
  return Math.min(policy.actionDuration * (unitMillis[policy.actionDurationUnit] ?? unitMillis['MINUTES']!), maxLockMillis);
}

/**
 * Whether the user is locked out now, or has failures on record that a successful login must clear.
 * A lock is temporary: it ends by itself (RATE-02).
 */
export async function lockoutState(repositories: Repositories, userId: string, now: number): Promise<LockoutState> {
  return lockoutStateOf(await repositories.loginFailures.find(userId), now);
}

export type LockoutState = 'locked' | 'failures' | 'clean';

/** lockoutState for a counter already read. */
export function lockoutStateOf(failures: LoginFailures | undefined, now: number): LockoutState {
  if (failures === undefined) return 'clean';
  return failures.lockedUntilInstant !== undefined && failures.lockedUntilInstant > now ? 'locked' : 'failures';
}

/**
 * Counts one failed password check. `tooManyAttempts` failures within `resetCountInSeconds` lock the
 * user for the policy's duration; the count then starts over. Returns whether this failure locked.
 */
export async function recordLoginFailure(repositories: Repositories, userId: string, policy: LockoutPolicy, now: number): Promise<boolean> {
  const previous = await repositories.loginFailures.findForUpdate(userId);
  const windowOpen = previous !== undefined && now - previous.windowStartInstant < policy.resetCountInSeconds * 1000;
  const failureCount = windowOpen ? previous.failureCount + 1 : 1;
  const windowStartInstant = windowOpen ? previous.windowStartInstant : now;
  if (failureCount >= policy.tooManyAttempts) {
    await repositories.loginFailures.save({ userId, failureCount: 0, windowStartInstant: now, lockedUntilInstant: now + lockDurationMillis(policy) });
    return true;
  }
  await repositories.loginFailures.save({ userId, failureCount, windowStartInstant, lockedUntilInstant: previous?.lockedUntilInstant });
  return false;
}

/** A successful login (or a password reset) clears the count and any lock (RATE-02). */
export async function clearLoginFailures(repositories: Repositories, userId: string): Promise<void> {
  await repositories.loginFailures.clear(userId);
}
