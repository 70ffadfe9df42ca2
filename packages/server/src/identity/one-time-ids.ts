import { createHash, randomBytes } from 'node:crypto';
import type { Repositories } from '../store/repositories/index.ts';
import type { OneTimeIdKind, OneTimeIdRecord } from '../store/repositories/one-time-id-repository.ts';

/** 256 random bits, base64url: a change-password or email-verification id, shown once. */
export function generateOneTimeIdValue(): string {
  return randomBytes(32).toString('base64url');
}

/** One-time ids are stored and looked up by SHA-256 only. */
export function hashOneTimeId(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export interface NewOneTimeId {
  readonly kind: OneTimeIdKind;
  readonly userId: string;
  readonly applicationId?: string | undefined;
  readonly email?: string | undefined;
  readonly state?: Readonly<Record<string, unknown>> | undefined;
  /** A caller-chosen value (FusionAuth allows one for change-password ids); generated when absent. */
  readonly value?: string | undefined;
}

/**
 * Stores a new id living `ttlSeconds` and returns its value. The user's expired ids of the same kind go
 * at the same time, so they never pile up. Throws DuplicateError when a caller-chosen value is taken.
 */
export async function issueOneTimeId(repositories: Repositories, id: NewOneTimeId, ttlSeconds: number, now: number): Promise<string> {
  const value = id.value ?? generateOneTimeIdValue();
  await repositories.oneTimeIds.deleteByUser(id.userId, id.kind, now);
  await repositories.oneTimeIds.insert({
    idHash: hashOneTimeId(value),
    kind: id.kind,
    userId: id.userId,
    applicationId: id.applicationId,
    email: id.email,
    state: id.state,
    insertInstant: now,
    expirationInstant: now + ttlSeconds * 1000,
  });
  return value;
}

const live = (record: OneTimeIdRecord | undefined, now: number) => (record !== undefined && record.expirationInstant > now ? record : undefined);

/** The id's record while it is unexpired, without using it up. */
export async function findOneTimeId(repositories: Repositories, kind: OneTimeIdKind, value: string, now: number): Promise<OneTimeIdRecord | undefined> {
  return live(await repositories.oneTimeIds.find(hashOneTimeId(value), kind), now);
}

/**
 * Uses the id up: it is deleted whether or not it had expired; returns its record only if it had not.
 * Run it in the transaction that does what the id allows, so a failure leaves the id usable.
 */
export async function consumeOneTimeId(repositories: Repositories, kind: OneTimeIdKind, value: string, now: number): Promise<OneTimeIdRecord | undefined> {
  return live(await repositories.oneTimeIds.consume(hashOneTimeId(value), kind), now);
}
