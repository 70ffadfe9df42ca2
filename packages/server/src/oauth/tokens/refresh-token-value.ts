import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: the opaque refresh token handed out once. */
export function generateRefreshTokenValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Refresh tokens are stored and looked up by SHA-256 only. */
export function hashRefreshToken(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
