/** FusionAuth's `registration` object as a request may send it; unknown fields are dropped. */
export const registrationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['applicationId'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    applicationId: { type: 'string', format: 'uuid' },
    roles: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 191 } },
    username: { type: 'string', minLength: 1, maxLength: 191 },
    preferredLanguages: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 24 } },
    timezone: { type: 'string', maxLength: 64 },
    verified: { type: 'boolean' },
    data: { type: 'object', default: {} },
  },
} as const;

export interface RegistrationFields {
  readonly id?: string;
  readonly applicationId: string;
  readonly roles?: readonly string[];
  readonly username?: string;
  readonly preferredLanguages?: readonly string[];
  readonly timezone?: string;
  readonly verified?: boolean;
  readonly data: Record<string, unknown>;
}
