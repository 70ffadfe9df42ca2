import { randomUUID } from 'node:crypto';
import { generateRefreshTokenValue, hashRefreshToken } from '../oauth/tokens/refresh-token-value.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { RefreshTokenRecord } from '../store/repositories/refresh-token-repository.ts';
import type { JwtConfiguration } from '../tenancy/tenant-settings.ts';

export type RefreshPolicy = Pick<
  JwtConfiguration,
  'refreshTokenTimeToLiveInMinutes' | 'refreshTokenExpirationPolicy' | 'refreshTokenUsagePolicy' | 'refreshTokenSlidingWindowConfiguration'
>;

export interface NewRefreshToken {
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
function expiration(policy: RefreshPolicy, startInstant: number, now: number): number {
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

export async function issueRefreshToken(repositories: Repositories, grant: NewRefreshToken, policy: RefreshPolicy, now: number): Promise<IssuedRefreshToken> {
  const value = generateRefreshTokenValue();
  const record: RefreshTokenRecord = {
    id: randomUUID(),
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
  await repositories.refreshTokens.insert(record);
  return { value, record };
}

/** The stored token for a presented value, row-locked, or undefined when unknown or expired (expired ones are deleted). */
export async function findLiveRefreshToken(repositories: Repositories, value: string, now: number): Promise<RefreshTokenRecord | undefined> {
  const record = await repositories.refreshTokens.findByHashForUpdate(hashRefreshToken(value));
  if (record === undefined) return undefined;
  if (record.expirationInstant <= now) {
    await repositories.refreshTokens.delete({ id: record.id });
    return undefined;
  }
  return record;
}

/**
 * Uses a live refresh token: slides its window, and under OneTimeUse replaces its value (same id, so
 * the `sid` claim stays stable). Returns the value the client must use from now on.
 */
export async function useRefreshToken(
  repositories: Repositories,
  record: RefreshTokenRecord,
  presentedValue: string,
  policy: RefreshPolicy,
  now: number,
): Promise<IssuedRefreshToken> {
  const rotate = policy.refreshTokenUsagePolicy === 'OneTimeUse';
  const value = rotate ? generateRefreshTokenValue() : presentedValue;
  const updated: RefreshTokenRecord = {
    ...record,
    tokenHash: rotate ? hashRefreshToken(value) : record.tokenHash,
    expirationInstant: expiration(policy, record.startInstant, now),
    lastUsedInstant: now,
  };
  await repositories.refreshTokens.update(updated);
  return { value, record: updated };
}
