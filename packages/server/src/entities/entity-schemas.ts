/**
 * FusionAuth's `entityType`, `permission`, `entity` and `grant` request objects as Gatehouse reads them.
 * Validation applies the defaults and drops unknown fields (read-only ones such as `id` and the instants
 * among them); rules a schema cannot say (blank names, duplicates, references) live beside each use.
 * Lengths follow FusionAuth's columns: names 191 (entity names 255), descriptions 255.
 */

const uuid = { type: 'string', format: 'uuid' } as const;
const data = { type: 'object', default: {} } as const;

export const permissionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 191 },
    description: { type: 'string', maxLength: 255 },
    isDefault: { type: 'boolean', default: false },
    data,
  },
} as const;

export const entityTypeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 191 },
    data,
    jwtConfiguration: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        accessTokenKeyId: uuid,
        accessTokenVerificationKeyIds: { type: 'array', maxItems: 100, default: [], items: uuid },
        timeToLiveInSeconds: { type: 'integer', maximum: 2_147_483_647 },
      },
    },
    // Read on create only: afterwards permissions change through /api/entity/type/{id}/permission.
    permissions: {
      type: 'array',
      maxItems: 1000,
      default: [],
      items: { ...permissionSchema, properties: { ...permissionSchema.properties, id: uuid } },
    },
  },
} as const;

export const entitySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 255 },
    type: { type: 'object', additionalProperties: false, properties: { id: uuid } },
    clientId: { type: 'string', maxLength: 191 },
    clientSecret: { type: 'string', maxLength: 255 },
    parentId: uuid,
    tenantId: uuid,
    data,
  },
} as const;

export const grantSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    userId: uuid,
    recipientEntityId: uuid,
    permissions: { type: 'array', maxItems: 1000, default: [], items: { type: 'string', maxLength: 191 } },
    data,
  },
} as const;
