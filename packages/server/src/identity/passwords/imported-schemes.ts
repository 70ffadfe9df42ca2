import { createHash, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

const pbkdf2Async = promisify(pbkdf2);

/**
 * A FusionAuth password hashing scheme, for hashes imported from FusionAuth or another system. Each
 * follows FusionAuth's published pseudocode (docs: reference/password-hashes): the salt is base64 of the
 * raw salt bytes, the stored hash is base64 of the derived bytes (bcrypt: its own alphabet).
 */
export interface ImportedScheme {
  readonly defaultFactor: number;
  /** Highest accepted factor: a hostile import must not make each login burn seconds of CPU. */
  readonly maximumFactor: number;
  readonly minimumFactor: number;
  /** Whether `hash` and `salt` have this scheme's shape (checked at import, before anything is stored). */
  wellFormed(hash: string, salt: string): boolean;
  verify(hash: string, salt: string, factor: number, candidate: string): Promise<boolean>;
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const bcryptSalt = /^[./A-Za-z0-9]{22}$/;
const bcryptHash = /^[./A-Za-z0-9]{31}$/;

/** Same-length byte strings compared without a data-dependent early exit. */
function bytesEqual(derived: Buffer, expected: Buffer): boolean {
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

function decodedLength(value: string): number | undefined {
  return base64.test(value) ? Buffer.from(value, 'base64').length : undefined;
}

/** `salted-md5`, `salted-sha256`: digest(password bytes ‖ salt bytes), then digest again factor−1 times. */
function iteratedDigest(algorithm: 'md5' | 'sha256', length: number): ImportedScheme {
  return {
    defaultFactor: 1,
    minimumFactor: 1,
    // The loop runs on the event loop: ~4 µs a round here, so the cap keeps one check under half a second.
    maximumFactor: 100_000,
    wellFormed: (hash, salt) => decodedLength(hash) === length && decodedLength(salt) !== undefined,
    async verify(hash, salt, factor, candidate) {
      let result = Buffer.concat([Buffer.from(candidate, 'utf8'), Buffer.from(salt, 'base64')]);
      for (let count = 0; count < factor; count += 1) result = createHash(algorithm).update(result).digest();
      return bytesEqual(result, Buffer.from(hash, 'base64'));
    },
  };
}

/** `salted-pbkdf2-hmac-*`: PBKDF2 with `factor` iterations and the given key length in bytes. */
function pbkdf2Scheme(digest: 'sha256' | 'sha512', keyLength: number): ImportedScheme {
  return {
    defaultFactor: 24_000,
    minimumFactor: 1,
    maximumFactor: 1_000_000,
    wellFormed: (hash, salt) => decodedLength(hash) === keyLength && decodedLength(salt) !== undefined,
    async verify(hash, salt, factor, candidate) {
      const derived = await pbkdf2Async(candidate, Buffer.from(salt, 'base64'), factor, keyLength, digest);
      return bytesEqual(derived, Buffer.from(hash, 'base64'));
    },
  };
}

/** `salted-hmac-sha256`: HMAC-SHA256 of the password keyed with the salt bytes; no factor. */
const hmacSha256: ImportedScheme = {
  defaultFactor: 1,
  minimumFactor: 0,
  maximumFactor: 1_000_000,
  wellFormed: (hash, salt) => decodedLength(hash) === 32 && decodedLength(salt) !== undefined,
  async verify(hash, salt, _factor, candidate) {
    const derived = createHmac('sha256', Buffer.from(salt, 'base64')).update(candidate, 'utf8').digest();
    return bytesEqual(derived, Buffer.from(hash, 'base64'));
  },
};

/**
 * `bcrypt`: FusionAuth splits `$2a$10$<22-char salt><31-char hash>` into factor, salt and password
 * (docs: apis/users/import, "Bcrypt"); the original string is rebuilt to verify.
 */
const bcryptScheme: ImportedScheme = {
  defaultFactor: 10,
  minimumFactor: 4,
  maximumFactor: 16,
  wellFormed: (hash, salt) => bcryptHash.test(hash) && bcryptSalt.test(salt),
  async verify(hash, salt, factor, candidate) {
    const encoded = `$2a$${String(factor).padStart(2, '0')}$${salt}${hash}`;
    try {
      return await bcrypt.compare(candidate, encoded);
    } catch {
      return false;
    }
  },
};

/** Every imported scheme Gatehouse verifies, by FusionAuth's `encryptionScheme` name. */
export const importedSchemes: Readonly<Record<string, ImportedScheme>> = {
  'salted-md5': iteratedDigest('md5', 16),
  'salted-sha256': iteratedDigest('sha256', 32),
  'salted-hmac-sha256': hmacSha256,
  'salted-pbkdf2-hmac-sha256': pbkdf2Scheme('sha256', 32),
  'salted-pbkdf2-hmac-sha256-512': pbkdf2Scheme('sha256', 64),
  'salted-pbkdf2-hmac-sha512-512': pbkdf2Scheme('sha512', 64),
  bcrypt: bcryptScheme,
};
