/** FusionAuth's IdentityProviderLoginRequest as far as Gatehouse reads it (also the Reconcile API's body). */
export const identityProviderLoginSchema = {
  type: 'object',
  required: ['applicationId', 'identityProviderId'],
  properties: {
    applicationId: { type: 'string', format: 'uuid' },
    identityProviderId: { type: 'string', format: 'uuid' },
    // Type-specific strings: OpenIDConnect's code, redirect_uri, and Gatehouse's code_verifier and nonce.
    data: { type: 'object', default: {}, maxProperties: 50, additionalProperties: { type: 'string', maxLength: 8192 } },
    encodedJWT: { type: 'string', minLength: 1, maxLength: 65_536 },
    refresh_token: { type: 'string', minLength: 1, maxLength: 8192 },
    noJWT: { type: 'boolean', default: false },
    noLink: { type: 'boolean', default: false },
    ipAddress: { type: 'string', maxLength: 64 },
  },
} as const;

export interface IdentityProviderLoginRequest {
  readonly applicationId: string;
  readonly identityProviderId: string;
  readonly data: Readonly<Record<string, string>>;
  readonly encodedJWT?: string;
  readonly refresh_token?: string;
  readonly noJWT: boolean;
  readonly noLink: boolean;
  readonly ipAddress?: string;
}
