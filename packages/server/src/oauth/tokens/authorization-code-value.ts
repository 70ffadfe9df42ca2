import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url (RESP-08: node-oidc-provider's default entropy). Handed out once. */
export function generateAuthorizationCode(): string {
  return randomBytes(32).toString('base64url');
}

/** Authorization codes are stored and looked up by SHA-256 only: the authorize endpoint and the token endpoint both hash with this. */
export function hashAuthorizationCode(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
