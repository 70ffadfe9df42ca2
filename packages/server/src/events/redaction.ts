/**
 * Secret redaction for what the audit log keeps (old and new values of management API resources).
 * The rule errs on the side of hiding: an audit entry that says `[redacted]` where nothing secret was is a
 * small loss; a password or a token in a log that every administrator can search is not.
 *
 * A member is secret when its name (case-insensitive):
 * - contains `password`, `secret`, `token`, `credential`, `salt`, `privatekey`, `private_key`,
 *   or is `hash`, `code`, `key`, or ends with `key` (`apiKey`, `privateKey`, `encryptionKey`) except
 *   `publicKey`;
 * - is one of the one-time ids that work as credentials (`changePasswordId`, `emailVerificationId`,
 *   `verificationId`, `registrationVerificationId`, `oneTimeId`, `twoFactorId`, `pendingIdPLinkId`).
 * Other names ending in `Id`/`Ids` are references, not secrets (`keyId`, `accessTokenKeyId`,
 * `refreshTokenId`, `keyIds`), and are kept. Booleans, numbers and null are kept under any name: they
 * carry settings (`keyManager`, `generateRefreshTokens`, `refreshTokenTimeToLiveInMinutes`), never a
 * credential. Under a secret name an object is walked with every string in it redacted
 * (`passwordValidationRules` keeps its numbers, loses nothing secret).
 * Whatever the name, a string holding a PEM private key or shaped like a JWT is redacted.
 */

export const redacted = '[redacted]';

/** Nesting deeper than this is cut: resources are shallow, and a hostile document must not exhaust the stack. */
const maxDepth = 32;

const secretSubstrings = ['password', 'secret', 'token', 'credential', 'salt', 'privatekey', 'private_key'];
const secretNames = new Set(['hash', 'code', 'key']);
const credentialIds = new Set(['changepasswordid', 'emailverificationid', 'verificationid', 'registrationverificationid', 'onetimeid', 'twofactorid', 'pendingidplinkid']);

/** Whether a member of this name holds a secret (see the module comment). */
export function isSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  if (credentialIds.has(lower)) return true;
  if (/ids?$/.test(lower) && /[a-z]I[dD]s?$|^ids?$/.test(name)) return false;
  if (secretNames.has(lower)) return true;
  if (lower.endsWith('key') && lower !== 'publickey') return true;
  return secretSubstrings.some((part) => lower.includes(part));
}

/** Whether a string value is a credential by its shape, whatever member holds it. */
function isSecretValue(value: string): boolean {
  if (value.includes('PRIVATE KEY')) return true;
  return /^eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*$/.test(value);
}

/**
 * A deep copy of `value` with every secret replaced by `[redacted]`. Objects and arrays are copied,
 * never modified; `__proto__` members are dropped.
 */
export function redactSecrets(value: unknown): unknown {
  return walk(value, false, 0);
}

function walk(value: unknown, insideSecret: boolean, depth: number): unknown {
  if (typeof value === 'string') return insideSecret || isSecretValue(value) ? redacted : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) return '[truncated]';
  if (Array.isArray(value)) return value.map((item) => walk(item, insideSecret, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (name === '__proto__') continue;
    copy[name] = walk(member, insideSecret || isSecretName(name), depth + 1);
  }
  return copy;
}
