import { createHash, createHmac, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: the opaque refresh token handed out once. */
export function generateRefreshTokenValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Refresh tokens are stored and looked up by SHA-256 only. */
export function hashRefreshToken(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * OneTimeUse rotation: the next value is HMAC-SHA256 of the previous value under a fresh random key, which
 * is stored beside the token's hash. The previous value is not stored, so the current value stays
 * unrecoverable from the database, yet whoever presents the previous value during the grace period can be
 * handed the current one again.
 */
export function rotateRefreshTokenValue(previous: string, rotationKey: Buffer): string {
  return createHmac('sha256', rotationKey).update(previous, 'utf8').digest('base64url');
}
