import { argon2idIsWeak, argon2idParameters, hashArgon2id, verifyArgon2id } from './argon2id.ts';
import { importedSchemes } from './imported-schemes.ts';

/** The scheme of every password Gatehouse hashes itself. */
export const nativeScheme = 'argon2id';

/** A user's password as stored: never the plaintext. */
export interface StoredPassword {
  /** argon2id: the PHC string. Imported schemes: the hash in FusionAuth's encoding (base64; bcrypt's own). */
  readonly hash: string;
  /** `argon2id` or a FusionAuth `encryptionScheme` (see imported-schemes.ts). */
  readonly scheme: string;
  /** Iterations or work factor; for argon2id (whose PHC string carries its parameters) the time cost. */
  readonly factor: number;
  readonly salt: string | undefined;
}

export interface PasswordCheck {
  readonly ok: boolean;
  /**
   * The password matched but is stored under an imported scheme or weaker argon2id parameters: the login
   * code should store `hashPassword(candidate)` now, while it holds the plaintext.
   */
  readonly needsRehash: boolean;
}

/** Hashes a new password the one way Gatehouse stores passwords: argon2id at OWASP parameters. */
export async function hashPassword(plain: string): Promise<StoredPassword> {
  return { hash: await hashArgon2id(plain), scheme: nativeScheme, factor: argon2idParameters.timeCost, salt: undefined };
}

/** Checks a candidate against a stored password of any supported scheme; unknown schemes never match. */
export async function verifyPassword(stored: StoredPassword, candidate: string): Promise<PasswordCheck> {
  if (stored.scheme === nativeScheme) {
    const ok = await verifyArgon2id(stored.hash, candidate);
    return { ok, needsRehash: ok && argon2idIsWeak(stored.hash) };
  }
  const scheme = importedSchemes[stored.scheme];
  if (scheme === undefined) return { ok: false, needsRehash: false };
  const ok = await scheme.verify(stored.hash, stored.salt ?? '', stored.factor, candidate);
  return { ok, needsRehash: ok };
}
