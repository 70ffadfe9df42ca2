/**
 * FusionAuth's `webhook` object, each member with its default (FusionAuth's where it has one). Unknown
 * members (and `id`, the instants) are dropped; the rules a schema cannot say (URL, event types, tenants,
 * headers, the signing key) are checked in webhooks.ts.
 */

const text = { type: 'string', maxLength: 2048 } as const;

export const webhookSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: text,
    description: text,
    // Milliseconds; FusionAuth requires them, Gatehouse fills in its defaults. `> 0` is checked in webhooks.ts.
    connectTimeout: { type: 'integer', maximum: 600_000, default: 1000 },
    readTimeout: { type: 'integer', maximum: 600_000, default: 2000 },
    headers: { type: 'object', default: {}, maxProperties: 100, propertyNames: { maxLength: 256 }, additionalProperties: { type: 'string', maxLength: 8192 } },
    httpAuthenticationUsername: { type: 'string', maxLength: 255 },
    httpAuthenticationPassword: { type: 'string', maxLength: 1024 },
    // Accepted so that FusionAuth bodies validate, refused when set: the dispatcher trusts the system CAs only.
    sslCertificate: { type: 'string', maxLength: 16_384 },
    sslCertificateKeyId: { type: 'string', maxLength: 64 },
    eventsEnabled: { type: 'object', default: {}, maxProperties: 1000, propertyNames: { maxLength: 128 }, additionalProperties: { type: 'boolean' } },
    // FusionAuth's default: a webhook receives only the events of `tenantIds` unless it is made global.
    global: { type: 'boolean', default: false },
    tenantIds: { type: 'array', default: [], maxItems: 1000, items: { type: 'string', format: 'uuid' } },
    signatureConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { enabled: { type: 'boolean', default: false }, signingKeyId: { type: 'string', format: 'uuid' } },
    },
    data: { type: 'object', default: {} },
  },
} as const;

/** The validated body: defaults applied, unknown members gone. */
export interface WebhookInput {
  readonly url?: string;
  readonly description?: string;
  readonly connectTimeout: number;
  readonly readTimeout: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly httpAuthenticationUsername?: string;
  readonly httpAuthenticationPassword?: string;
  readonly sslCertificate?: string;
  readonly sslCertificateKeyId?: string;
  readonly eventsEnabled: Readonly<Record<string, boolean>>;
  readonly global: boolean;
  readonly tenantIds: readonly string[];
  readonly signatureConfiguration: { readonly enabled: boolean; readonly signingKeyId?: string };
  readonly data: Record<string, unknown>;
}

/** Headers the dispatcher sets itself (or that fetch owns): a webhook may not send its own. */
export const reservedHeaders: readonly string[] = ['content-type', 'content-length', 'host', 'connection', 'transfer-encoding', 'x-gatehouse-event-id', 'x-fusionauth-signature-jwt'];

/** The search criteria of POST|GET /api/webhook/search. */
export const webhookSearchSchema = {
  type: 'object',
  properties: {
    url: { type: 'string', maxLength: 2048 },
    description: { type: 'string', maxLength: 2048 },
    tenantId: { type: 'string', format: 'uuid' },
    orderBy: { type: 'string', maxLength: 1024 },
    startRow: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
    numberOfResults: { type: 'integer', minimum: 0, maximum: 10_000, default: 25 },
  },
} as const;

export interface WebhookSearchCriteria {
  readonly url?: string;
  readonly description?: string;
  readonly tenantId?: string;
  readonly orderBy?: string;
  readonly startRow: number;
  readonly numberOfResults: number;
}
