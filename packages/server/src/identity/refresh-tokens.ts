import { randomBytes, randomUUID } from 'node:crypto';
import { generateRefreshTokenValue, hashRefreshToken, rotateRefreshTokenValue } from '../oauth/tokens/refresh-token-value.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { RefreshTokenRecord } from '../store/repositories/refresh-token-repository.ts';
import type { JwtConfiguration } from '../tenancy/tenant-settings.ts';

export type RefreshPolicy = Pick<
  JwtConfiguration,
  'refreshTokenTimeToLiveInMinutes' | 'refreshTokenExpirationPolicy' | 'refreshTokenUsagePolicy' | 'refreshTokenSlidingWindowConfiguration'
>;

/** What using a token needs beyond issuing one: the grace period and what a reuse outside it does. */
export type RefreshUsePolicy = RefreshPolicy & Pick<JwtConfiguration, 'refreshTokenOneTimeUseConfiguration' | 'refreshTokenRevocationPolicy'>;

export interface NewRefreshToken {
  /** The token's id; an OAuth grant's refresh token takes the grant's id (its `sid`). Random when absent. */
  readonly id?: string | undefined;
  readonly tenantId: string;
  readonly userId: string;
  readonly applicationId: string | undefined;
  readonly metaData?: Readonly<Record<string, unknown>>;
}

export interface IssuedRefreshToken {
  /** Shown to the client once; only its hash is stored. */
  readonly value: string;
  readonly record: RefreshTokenRecord;
}

const minute = 60_000;

/** Expiry under the policy: Fixed counts from the start, sliding windows from the last use (capped for WithMaximumLifetime). */
export function expiration(policy: RefreshPolicy, startInstant: number, now: number): number {
  const ttl = policy.refreshTokenTimeToLiveInMinutes * minute;
  switch (policy.refreshTokenExpirationPolicy) {
    case 'Fixed':
      return startInstant + ttl;
    case 'SlidingWindow':
      return now + ttl;
    case 'SlidingWindowWithMaximumLifetime':
      return Math.min(now + ttl, startInstant + policy.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes * minute);
  }
}

/** A new refresh token, not yet stored: for callers that write it together with other changes. */
export function newRefreshToken(grant: NewRefreshToken, policy: RefreshPolicy, now: number): IssuedRefreshToken {
  const value = generateRefreshTokenValue();
  const record: RefreshTokenRecord = {
    id: grant.id ?? randomUUID(),
    tokenHash: hashRefreshToken(value),
    tenantId: grant.tenantId,
    userId: grant.userId,
    applicationId: grant.applicationId,
    startInstant: now,
    insertInstant: now,
    expirationInstant: expiration(policy, now, now),
    lastUsedInstant: undefined,
    metaData: grant.metaData ?? {},
  };
  return { value, record };
}

export async function issueRefreshToken(repositories: Repositories, grant: NewRefreshToken, policy: RefreshPolicy, now: number): Promise<IssuedRefreshToken> {
  const issued = newRefreshToken(grant, policy, now);
  await repositories.refreshTokens.insert(issued.record);
  return issued;
}

/** A presented refresh token: its row, and whether the value was the one a OneTimeUse rotation replaced. */
export interface LiveRefreshToken {
  readonly record: RefreshTokenRecord;
  readonly rotatedAway: boolean;
}

/**
 * The stored token for a presented value, row-locked, or undefined when unknown or expired (expired ones
 * are deleted). A value the last OneTimeUse rotation replaced is found too (`rotatedAway`): useRefreshToken
 * decides whether its grace period still holds.
 */
export async function findLiveRefreshToken(repositories: Repositories, value: string, now: number): Promise<LiveRefreshToken | undefined> {
  const presentedHash = hashRefreshToken(value);
  const record = await repositories.refreshTokens.findByCurrentOrPreviousHashForUpdate(presentedHash);
  if (record === undefined) return undefined;
  if (record.expirationInstant <= now) {
    await repositories.refreshTokens.delete({ id: record.id });
    return undefined;
  }
  return { record, rotatedAway: !record.tokenHash.equals(presentedHash) };
}

/**
 * FusionAuth's grace period: a rotated-away value keeps working for `gracePeriodInSeconds` after its
 * rotation (0 disables it). It is answered with the current value, without rotating again, so that
 * concurrent or retried refreshes of one token all end up holding the same value.
 */
function withinGracePeriod(record: RefreshTokenRecord, policy: RefreshUsePolicy, now: number): boolean {
  if (policy.refreshTokenUsagePolicy !== 'OneTimeUse' || record.rotatedInstant === undefined || record.rotationKey === undefined) return false;
  // With no grace period nothing is within it — not even a concurrent refresh whose clock reading came just
  // before the rotation it waited for (a negative elapsed time).
  const graceMs = policy.refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds * 1000;
  return graceMs > 0 && now - record.rotatedInstant < graceMs;
}

/**
 * Uses a live refresh token: slides its window, and under OneTimeUse replaces its value (same id, so
 * the `sid` claim stays stable). Returns the value the client must use from now on, or undefined for a
 * rotated-away value past its grace period; with the tenant's `onOneTimeTokenReuse` that reuse revokes
 * the token.
 */
export async function useRefreshToken(
  repositories: Repositories,
  live: LiveRefreshToken,
  presentedValue: string,
  policy: RefreshUsePolicy,
  now: number,
): Promise<IssuedRefreshToken | undefined> {
  const { record } = live;
  const slid = { expirationInstant: expiration(policy, record.startInstant, now), lastUsedInstant: now };
  if (live.rotatedAway) {
    if (!withinGracePeriod(record, policy, now)) {
      if (policy.refreshTokenRevocationPolicy.onOneTimeTokenReuse) await repositories.refreshTokens.delete({ id: record.id });
      return undefined;
    }
    const updated: RefreshTokenRecord = { ...record, ...slid };
    await repositories.refreshTokens.update(updated);
    return { value: rotateRefreshTokenValue(presentedValue, record.rotationKey!), record: updated };
  }
  if (policy.refreshTokenUsagePolicy !== 'OneTimeUse') {
    const updated: RefreshTokenRecord = { ...record, ...slid };
    await repositories.refreshTokens.update(updated);
    return { value: presentedValue, record: updated };
  }
  const rotationKey = randomBytes(32);
  const value = rotateRefreshTokenValue(presentedValue, rotationKey);
  const updated: RefreshTokenRecord = {
    ...record,
    ...slid,
    tokenHash: hashRefreshToken(value),
    previousTokenHash: record.tokenHash,
    rotatedInstant: now,
    rotationKey,
  };
  await repositories.refreshTokens.update(updated);
  return { value, record: updated };
}
