import { randomInt } from 'node:crypto';
import type { SecureGeneratorConfiguration } from '../../tenancy/tenant-settings.ts';

/**
 * User codes (RFC 8628 §6.1): typed by a person from a TV screen, so short, upper case and free of
 * characters that are easily confused or spell words. Consonants only (no vowels, so no words; no
 * I/O to mistake for 1/0), digits without 0 and 1. FusionAuth's generator types map onto these
 * alphabets; `randomBytes` has no typeable form and uses the alphanumeric one.
 */
const consonants = 'BCDFGHJKLMNPQRSTVWXZ';
const alphanumeric = `${consonants}23456789`;

const alphabets: Readonly<Record<SecureGeneratorConfiguration['type'], string>> = {
  randomAlpha: consonants,
  randomAlphaNumeric: alphanumeric,
  randomBytes: alphanumeric,
  randomDigits: '0123456789',
};

/** A new user code of the tenant's length and alphabet, each character drawn uniformly (crypto RNG). */
export function generateUserCode(generator: SecureGeneratorConfiguration): string {
  const alphabet = alphabets[generator.type];
  let code = '';
  for (let index = 0; index < generator.length; index += 1) code += alphabet[randomInt(alphabet.length)];
  return code;
}

/** Longer input is not a code (and is not worth a lookup). */
const maximumInputLength = 64;

/**
 * What the user typed, as stored: case-insensitive, with spaces, dashes and other punctuation ignored
 * (DEV-04), so `bcdf-ghjk` finds `BCDFGHJK`. Undefined when nothing code-like is left.
 */
export function normalizeUserCode(input: string | undefined): string | undefined {
  if (input === undefined || input.length > maximumInputLength) return undefined;
  const code = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return code === '' ? undefined : code;
}

/** For reading on the confirmation page: two halves joined by a dash (`BCD-FGH`). */
export function formatUserCode(code: string): string {
  if (code.length < 6) return code;
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}
