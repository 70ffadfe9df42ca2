import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, IdentityProviderTable } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

/** An identity provider as stored: global, its client secret still sealed. */
export interface IdentityProvider {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly enabled: boolean;
  /** Every other setting of the type (see identity-provider-schema.ts), without the client secret. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly clientSecretSealed: Buffer | undefined;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

function toIdentityProvider(row: Selectable<IdentityProviderTable>): IdentityProvider {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    enabled: row.enabled,
    settings: row.data,
    clientSecretSealed: row.client_secret_sealed ?? undefined,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function changes(provider: IdentityProvider) {
  return {
    name: provider.name,
    enabled: provider.enabled,
    data: JSON.stringify(provider.settings),
    client_secret_sealed: provider.clientSecretSealed ?? null,
    last_update_instant: provider.lastUpdateInstant,
  };
}

export function createIdentityProviderRepository(db: Kysely<Database>) {
  return {
    async find(id: string): Promise<IdentityProvider | undefined> {
      const row = await db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toIdentityProvider(row);
    },

    /** Every provider, or those of one type, by name (code point order, the same on both backends). */
    async list(type?: string): Promise<IdentityProvider[]> {
      let query = db.selectFrom('identity_providers').selectAll();
      if (type !== undefined) query = query.where('type', '=', type);
      const rows = await query.orderBy(sql`name collate "C"`).orderBy('id').execute();
      return rows.map(toIdentityProvider);
    },

    /** Throws DuplicateError (identity_providers_pkey, identity_providers_name_key). */
    async insert(provider: IdentityProvider): Promise<void> {
      await rethrowDuplicate(
        db.insertInto('identity_providers').values({ id: provider.id, type: provider.type, insert_instant: provider.insertInstant, ...changes(provider) }).execute(),
      );
    },

    /** Replaces everything but the id, type and insert instant; returns whether it exists. Throws DuplicateError (identity_providers_name_key). */
    async update(provider: IdentityProvider): Promise<boolean> {
      const result = await rethrowDuplicate(db.updateTable('identity_providers').set(changes(provider)).where('id', '=', provider.id).executeTakeFirst());
      return result.numUpdatedRows > 0n;
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('identity_providers').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type IdentityProviderRepository = ReturnType<typeof createIdentityProviderRepository>;
