import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url (DEV-07: RFC 8628 §5.2 asks for enough entropy that guessing is infeasible). Handed to the device once. */
export function generateDeviceCode(): string {
  return randomBytes(32).toString('base64url');
}

/** Device codes are stored and looked up by SHA-256 only (bearer artifacts, DESIGN security defaults). */
export function hashDeviceCode(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
