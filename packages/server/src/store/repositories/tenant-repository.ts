import type { Kysely, Selectable } from 'kysely';
import type { Database, TenantTable } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

export interface Tenant {
  readonly id: string;
  readonly name: string;
  /** The FusionAuth-shaped tenant configuration (issuer, TTLs, policies...). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

function toTenant(row: Selectable<TenantTable>): Tenant {
  return {
    id: row.id,
    name: row.name,
    data: row.data,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
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
      await rethrowDuplicate(
        db
          .insertInto('tenants')
          .values({
            id: tenant.id,
            name: tenant.name,
            data: JSON.stringify(tenant.data),
            insert_instant: tenant.insertInstant,
            last_update_instant: tenant.lastUpdateInstant,
          })
          .execute(),
      );
    },
  };
}

export type TenantRepository = ReturnType<typeof createTenantRepository>;
