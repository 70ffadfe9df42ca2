import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyTable, Database } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

/** Allowed HTTP methods per endpoint path; empty means the key may call everything. */
export type EndpointPermissions = Readonly<Record<string, readonly string[]>>;

export interface ApiKeyRecord {
  readonly id: string;
  /** SHA-256 of the key value: the value itself is shown once and never stored. */
  readonly keyHash: Buffer;
  readonly tenantId: string | undefined;
  readonly description: string | undefined;
  readonly permissions: EndpointPermissions;
  readonly keyManager: boolean;
  readonly expirationInstant: number | undefined;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

function toRecord(row: Selectable<ApiKeyTable>): ApiKeyRecord {
  return {
    id: row.id,
    keyHash: row.key_hash,
    tenantId: row.tenant_id ?? undefined,
    description: row.description ?? undefined,
    permissions: row.permissions,
    keyManager: row.key_manager,
    expirationInstant: row.expiration_instant ?? undefined,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

export function createApiKeyRepository(db: Kysely<Database>) {
  return {
    /** Throws DuplicateError (api_keys_pkey, api_keys_key_hash_key) when the id or the key is taken. */
    async insert(key: ApiKeyRecord): Promise<void> {
      await rethrowDuplicate(
        db
          .insertInto('api_keys')
          .values({
            id: key.id,
            key_hash: key.keyHash,
            tenant_id: key.tenantId ?? null,
            description: key.description ?? null,
            permissions: JSON.stringify(key.permissions),
            key_manager: key.keyManager,
            expiration_instant: key.expirationInstant ?? null,
            insert_instant: key.insertInstant,
            last_update_instant: key.lastUpdateInstant,
          })
          .execute(),
      );
    },

    async find(id: string): Promise<ApiKeyRecord | undefined> {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    async findByHash(keyHash: Buffer): Promise<ApiKeyRecord | undefined> {
      const row = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    async count(): Promise<number> {
      const { count } = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      return count;
    },

    /** Replaces the key's settings (never its hash, tenant or insert instant). */
    async update(key: ApiKeyRecord): Promise<void> {
      await db
        .updateTable('api_keys')
        .set({
          description: key.description ?? null,
          permissions: JSON.stringify(key.permissions),
          key_manager: key.keyManager,
          expiration_instant: key.expirationInstant ?? null,
          last_update_instant: key.lastUpdateInstant,
        })
        .where('id', '=', key.id)
        .execute();
    },

    /** Returns whether a key was deleted. */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
