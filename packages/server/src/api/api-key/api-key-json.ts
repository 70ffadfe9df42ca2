import type { ApiKeyRecord } from '../../store/repositories/api-key-repository.ts';

/** FusionAuth's `apiKey` object. `key` appears only on the create response of a generated key. */
export function apiKeyJson(record: ApiKeyRecord, shownValue?: string) {
  return {
    id: record.id,
    ...(shownValue === undefined ? {} : { key: shownValue }),
    metaData: { attributes: record.description === undefined ? {} : { description: record.description } },
    permissions: { endpoints: record.permissions },
    ...(record.tenantId === undefined ? {} : { tenantId: record.tenantId }),
    keyManager: record.keyManager,
    ...(record.expirationInstant === undefined ? {} : { expirationInstant: record.expirationInstant }),
    retrievable: false,
    insertInstant: record.insertInstant,
    lastUpdateInstant: record.lastUpdateInstant,
  };
}
