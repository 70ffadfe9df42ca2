/** The Login API body (POST /api/login) as far as Gatehouse reads it; unknown fields are dropped. */
export const loginRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['loginId', 'password'],
  properties: {
    loginId: { type: 'string', minLength: 1, maxLength: 191 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    applicationId: { type: 'string', format: 'uuid' },
    noJWT: { type: 'boolean', default: false },
    ipAddress: { type: 'string', maxLength: 64 },
    metaData: {
      type: 'object',
      properties: {
        device: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: 255 },
            description: { type: 'string', maxLength: 255 },
            type: { type: 'string', maxLength: 64 },
          },
        },
      },
    },
  },
} as const;

export interface LoginRequest {
  readonly loginId: string;
  readonly password: string;
  readonly applicationId?: string;
  readonly noJWT: boolean;
  readonly ipAddress?: string;
  readonly metaData?: { readonly device?: Readonly<Record<string, string>> };
}
