import type { Kysely, Selectable } from 'kysely';
import type { TenantSettings } from '../../tenancy/tenant-settings.ts';
import type { Database, TenantTable } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

export interface Tenant {
  readonly id: string;
  /** The FusionAuth-shaped tenant configuration (name, issuer, TTLs, policies...), defaults filled in. */
  readonly settings: TenantSettings;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

export function toTenant(row: Selectable<TenantTable>): Tenant {
  return {
    id: row.id,
    settings: { ...(row.data as Omit<TenantSettings, 'name'>), name: row.name },
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function toRow(tenant: Tenant) {
  const { name, ...data } = tenant.settings;
  return { id: tenant.id, name, data: JSON.stringify(data), insert_instant: tenant.insertInstant, last_update_instant: tenant.lastUpdateInstant };
}

export function createTenantRepository(db: Kysely<Database>) {
  return {
    async find(id: string): Promise<Tenant | undefined> {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toTenant(row);
    },

    async list(): Promise<Tenant[]> {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('insert_instant').orderBy('id').execute();
      return rows.map(toTenant);
    },

    async count(): Promise<number> {
      const { count } = await db.selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      return count;
    },

    /** Throws DuplicateError (tenants_pkey, tenants_name_key) when the id or the name is taken. */
    async insert(tenant: Tenant): Promise<void> {
      await rethrowDuplicate(db.insertInto('tenants').values(toRow(tenant)).execute());
    },

    /** Replaces name and settings; throws DuplicateError (tenants_name_key) when the name is taken. */
    async update(tenant: Tenant): Promise<void> {
      const { id: _id, insert_instant: _inserted, ...changes } = toRow(tenant);
      await rethrowDuplicate(db.updateTable('tenants').set(changes).where('id', '=', tenant.id).execute());
    },

    /** Deletes the tenant and (by cascade) everything in it; returns whether it existed. */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type TenantRepository = ReturnType<typeof createTenantRepository>;
