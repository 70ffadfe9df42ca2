/**
 * The writable fields of FusionAuth's `user` object. Validation drops unknown and read-only fields
 * (registrations, insertInstant on create, ...) instead of refusing them, as FusionAuth does.
 */
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;

/** Epoch millis: bounded so a huge JSON number is a 400, not a bigint overflow in the database. */
const instant = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

export const passwordChangeReasons = ['Administrative', 'Breached', 'Expired', 'Validation'] as const;

const userProperties = {
  email: text(191),
  username: text(191),
  // Hashes (import) and plaintext share the field; the tenant's maxLength (≤256) still applies to plaintext.
  password: text(1024),
  passwordChangeRequired: { type: 'boolean' },
  passwordChangeReason: { type: 'string', enum: passwordChangeReasons },
  verified: { type: 'boolean' },
  expiry: instant,
  firstName: text(255),
  middleName: text(255),
  lastName: text(255),
  fullName: text(255),
  birthDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  imageUrl: text(2048),
  mobilePhone: text(64),
  phoneNumber: text(64),
  parentEmail: text(191),
  preferredLanguages: { type: 'array', maxItems: 20, items: text(35) },
  timezone: text(64),
  data: { type: 'object', default: {} },
} as const;

/** `user` in POST/PUT/PATCH /api/user. `tenantId` only matters when no header or scoped key names one. */
export const userSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...userProperties, tenantId: { type: 'string', format: 'uuid' } },
} as const;

/** One of `users` in POST /api/user/import: the same, plus what only an import may set. */
export const importUserSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...userProperties,
    id: { type: 'string', format: 'uuid' },
    tenantId: { type: 'string', format: 'uuid' },
    active: { type: 'boolean' },
    encryptionScheme: text(64),
    factor: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
    salt: text(1024),
    insertInstant: instant,
    passwordLastUpdateInstant: instant,
  },
} as const;
