import { hash, parseOptions, verify } from '@node-rs/argon2';

/**
 * OWASP Password Storage Cheat Sheet, argon2id minimum: 19 MiB of memory, 2 passes, 1 lane. About 10 ms
 * per hash here (reference/stack.md), which is what caps logins per second.
 */
export const argon2idParameters = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** @node-rs/argon2's `Algorithm.Argon2id` (an ambient const enum, unusable under verbatimModuleSyntax). */
const argon2idAlgorithm = 2;

/** Hashes with argon2id (the library's default algorithm) into a PHC string with a fresh 16-byte salt. */
export function hashArgon2id(plain: string): Promise<string> {
  return hash(plain, argon2idParameters);
}

/** Whether `phc` is an argon2id PHC string this module can verify. */
export function isArgon2idPhc(phc: string): boolean {
  if (!phc.startsWith('$argon2id$')) return false;
  try {
    return parseOptions(phc).algorithm === argon2idAlgorithm;
  } catch {
    return false;
  }
}

/** The library compares in constant time; a malformed PHC string is a failed check, not an error. */
export async function verifyArgon2id(phc: string, candidate: string): Promise<boolean> {
  if (!isArgon2idPhc(phc)) return false;
  try {
    return await verify(phc, candidate);
  } catch {
    return false;
  }
}

/** An argon2id hash made with weaker parameters than today's (e.g. imported) is upgraded at next login. */
export function argon2idIsWeak(phc: string): boolean {
  try {
    const options = parseOptions(phc);
    return (
      options.algorithm !== argon2idAlgorithm ||
      options.memoryCost < argon2idParameters.memoryCost ||
      options.timeCost < argon2idParameters.timeCost
    );
  } catch {
    return true;
  }
}
