import { parseOptions } from '@node-rs/argon2';
import { isArgon2idPhc } from './argon2id.ts';
import { importedSchemes } from './imported-schemes.ts';
import { nativeScheme, type StoredPassword } from './verify-password.ts';

/** Every `encryptionScheme` an import may name. */
export const importableSchemes: readonly string[] = [nativeScheme, ...Object.keys(importedSchemes)];

/** Why an imported hash cannot be stored; `field` is relative to the user (`salt`, `factor`, ...). */
export interface ImportHashProblem {
  readonly field: 'encryptionScheme' | 'factor' | 'password' | 'salt';
  readonly reason: 'invalid' | 'blank' | 'tooSmall' | 'tooLarge';
  readonly message: string;
}

/**
 * Turns an imported (encryptionScheme, factor, salt, password-hash) into the stored password, or says
 * what is wrong with it. Checked at import so that a bad hash is a 400 now rather than a user who can
 * never log in later. argon2id takes the whole PHC string as the password and ignores salt and factor.
 */
export function importedPassword(scheme: string, hash: string, salt: string | undefined, factor: number | undefined): StoredPassword | ImportHashProblem {
  if (scheme === nativeScheme) {
    if (!isArgon2idPhc(hash)) return { field: 'password', reason: 'invalid', message: 'An argon2id password must be a PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).' };
    return { hash, scheme, factor: parseOptions(hash).timeCost, salt: undefined };
  }
  const imported = importedSchemes[scheme];
  if (imported === undefined) {
    return { field: 'encryptionScheme', reason: 'invalid', message: `Unsupported encryptionScheme. Supported: ${importableSchemes.join(', ')}.` };
  }
  if (salt === undefined) return { field: 'salt', reason: 'blank', message: 'A salt is required with an encryptionScheme (the empty string is allowed).' };
  const chosen = factor ?? imported.defaultFactor;
  if (chosen < imported.minimumFactor) return { field: 'factor', reason: 'tooSmall', message: `The factor for ${scheme} must be at least ${imported.minimumFactor}.` };
  if (chosen > imported.maximumFactor) return { field: 'factor', reason: 'tooLarge', message: `The factor for ${scheme} must be at most ${imported.maximumFactor}.` };
  if (!imported.wellFormed(hash, salt)) {
    return { field: 'password', reason: 'invalid', message: `The password is not a ${scheme} hash in FusionAuth's encoding (base64; bcrypt: its 31-character hash with the 22-character salt apart).` };
  }
  return { hash, scheme, factor: chosen, salt };
}

export function isImportHashProblem(value: StoredPassword | ImportHashProblem): value is ImportHashProblem {
  return 'reason' in value;
}
