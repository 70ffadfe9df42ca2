import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { createApiKey, type NewApiKey } from '../../tenancy/api-keys.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyJson } from './api-key-json.ts';

export interface ApiKeyBody {
  apiKey: {
    key?: string;
    metaData?: { attributes?: { description?: string } };
    permissions?: { endpoints?: Record<string, string[]> };
    tenantId?: string;
    keyManager?: boolean;
    expirationInstant?: number;
  };
}

/** FusionAuth's `apiKey` body as the domain's input (the description lives in metaData.attributes). */
export function apiKeyInput(body: ApiKeyBody['apiKey']): NewApiKey {
  return {
    key: body.key,
    description: body.metaData?.attributes?.description,
    permissions: body.permissions?.endpoints,
    tenantId: body.tenantId,
    keyManager: body.keyManager,
    expirationInstant: body.expirationInstant,
  };
}

export const apiKeyBodySchema = {
  type: 'object',
  required: ['apiKey'],
  properties: {
    apiKey: {
      type: 'object',
      properties: {
        key: { type: 'string', maxLength: 512 },
        metaData: {
          type: 'object',
          properties: { attributes: { type: 'object', properties: { description: { type: 'string', maxLength: 1024 } } } },
        },
        permissions: {
          type: 'object',
          properties: {
            endpoints: {
              type: 'object',
              maxProperties: 500,
              additionalProperties: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 16 } },
            },
          },
        },
        tenantId: { type: 'string', format: 'uuid' },
        keyManager: { type: 'boolean' },
        expirationInstant: { type: 'integer', maximum: Number.MAX_SAFE_INTEGER },
      },
    },
  },
} as const;

/** POST /api/api-key[/{keyId}]: only key-manager keys may create keys, and never beyond their own reach. */
export function registerCreateApiKey(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: FastifyRequest<{ Body: ApiKeyBody; Params: { keyId?: string } }>) => {
    const caller = deps.callers.get(request);
    const input = request.body.apiKey;
    if (!caller.keyManager) throw ApiError.unauthorized();
    if (caller.tenantId !== undefined && input.tenantId !== caller.tenantId) {
      throw ApiError.field('apiKey.tenantId', 'invalid', 'A tenant-scoped key may only create keys for its own tenant.');
    }
    if (Object.keys(caller.permissions).length > 0 && input.keyManager === true) {
      throw ApiError.field('apiKey.keyManager', 'invalid', 'Only an unrestricted key may create another key manager.');
    }
    const created = await deps.store.transaction((repositories) =>
      createApiKey(repositories, { id: request.params.keyId, ...apiKeyInput(input) }, deps.now()),
    );
    return { apiKey: apiKeyJson(created.record, created.generated ? created.value : undefined) };
  };
  const schema = { body: apiKeyBodySchema };
  app.post('/api-key', { schema }, handler);
  app.post('/api-key/:keyId', { schema: { ...schema, params: { type: 'object', properties: { keyId: { type: 'string', format: 'uuid' } } } } }, handler);
}
