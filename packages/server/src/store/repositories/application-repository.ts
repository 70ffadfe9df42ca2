import { sql, type Kysely, type Selectable } from 'kysely';
import type { ApplicationSettings } from '../../tenancy/application-settings.ts';
import type { ApplicationRoleTable, ApplicationTable, Database } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

export interface ApplicationRole {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly isDefault: boolean;
  readonly isSuperRole: boolean;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

export interface Application {
  /** Also the OAuth client id. */
  readonly id: string;
  readonly tenantId: string;
  readonly active: boolean;
  /** The FusionAuth-shaped configuration (name, OAuth, JWT, login...), defaults filled in. */
  readonly settings: ApplicationSettings;
  /** The OAuth client secret, sealed for applications/<id>/client_secret_sealed. */
  readonly clientSecretSealed: Buffer;
  /** Sorted by name (code point order, the same on every backend). */
  readonly roles: readonly ApplicationRole[];
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

function toRole(row: Selectable<ApplicationRoleTable>): ApplicationRole {
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? undefined,
    isDefault: row.is_default,
    isSuperRole: row.is_super_role,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function roleRow(applicationId: string, role: ApplicationRole) {
  return {
    id: role.id,
    application_id: applicationId,
    name: role.name,
    description: role.description ?? null,
    is_default: role.isDefault,
    is_super_role: role.isSuperRole,
    insert_instant: role.insertInstant,
    last_update_instant: role.lastUpdateInstant,
  };
}

function toApplication(row: Selectable<ApplicationTable>, roles: readonly ApplicationRole[]): Application {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    active: row.active,
    settings: { ...(row.data as Omit<ApplicationSettings, 'name'>), name: row.name },
    clientSecretSealed: row.client_secret_sealed,
    roles,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function changes(application: Application) {
  const { name, ...data } = application.settings;
  return { name, data: JSON.stringify(data), client_secret_sealed: application.clientSecretSealed, last_update_instant: application.lastUpdateInstant };
}

export function createApplicationRepository(db: Kysely<Database>) {
  /**
   * The roles of the applications `filter` selects, grouped by application id. A subquery rather than a
   * list of ids: a tenant with many applications must not run into the bind-parameter limit.
   */
  async function rolesOf(filter: { readonly id?: string; readonly active?: boolean; readonly tenantId?: string | undefined }) {
    let owners = db.selectFrom('applications').select('id');
    if (filter.id !== undefined) owners = owners.where('id', '=', filter.id);
    if (filter.active !== undefined) owners = owners.where('active', '=', filter.active);
    if (filter.tenantId !== undefined) owners = owners.where('tenant_id', '=', filter.tenantId);
    const rows = await db.selectFrom('application_roles').selectAll().where('application_id', 'in', owners).orderBy(sql`name collate "C"`).orderBy('id').execute();
    const grouped = new Map<string, ApplicationRole[]>();
    for (const row of rows) {
      const list = grouped.get(row.application_id) ?? [];
      list.push(toRole(row));
      grouped.set(row.application_id, list);
    }
    return grouped;
  }

  return {
    /** The application with its roles in one round trip (every login reads it). */
    async find(id: string): Promise<Application | undefined> {
      const row = await db
        .selectFrom('applications')
        .selectAll('applications')
        .select(
          sql<Selectable<ApplicationRoleTable>[]>`coalesce((select json_agg(r order by r.name collate "C", r.id) from application_roles r where r.application_id = applications.id), '[]'::json)`.as(
            'role_rows',
          ),
        )
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const { role_rows: roleRows, ...application } = row;
      return toApplication(application, roleRows.map(toRole));
    },

    /** Active or inactive applications, of one tenant or all, oldest first. */
    async list(filter: { readonly active: boolean; readonly tenantId?: string | undefined }): Promise<Application[]> {
      let query = db.selectFrom('applications').selectAll().where('active', '=', filter.active);
      if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
      const rows = await query.orderBy('insert_instant').orderBy('id').execute();
      const roles = await rolesOf(filter);
      return rows.map((row) => toApplication(row, roles.get(row.id) ?? []));
    },

    /** Inserts the application and its roles. Throws DuplicateError (applications_pkey, applications_name_key, application_roles_*). */
    async insert(application: Application): Promise<void> {
      await rethrowDuplicate(
        db
          .insertInto('applications')
          .values({ id: application.id, tenant_id: application.tenantId, active: application.active, insert_instant: application.insertInstant, ...changes(application) })
          .execute(),
      );
      // In batches: one statement for every role could pass PostgreSQL's 65535 bind-parameter limit.
      for (let start = 0; start < application.roles.length; start += 1000) {
        const batch = application.roles.slice(start, start + 1000).map((role) => roleRow(application.id, role));
        await rethrowDuplicate(db.insertInto('application_roles').values(batch).execute());
      }
    },

    /** Replaces name, settings and sealed secret (not tenant, state or roles). Throws DuplicateError (applications_name_key). */
    async update(application: Application): Promise<void> {
      await rethrowDuplicate(db.updateTable('applications').set(changes(application)).where('id', '=', application.id).execute());
    },

    /** Deactivates or reactivates; returns whether the application exists. */
    async setActive(id: string, active: boolean, instant: number): Promise<boolean> {
      const result = await db.updateTable('applications').set({ active, last_update_instant: instant }).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Deletes the application and (by cascade) its roles; returns whether it existed. */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('applications').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Throws DuplicateError (application_roles_pkey, application_roles_name_key). */
    async insertRole(applicationId: string, role: ApplicationRole): Promise<void> {
      await rethrowDuplicate(db.insertInto('application_roles').values(roleRow(applicationId, role)).execute());
    },

    /** Replaces a role of this application; returns whether it exists. Throws DuplicateError (application_roles_name_key). */
    async updateRole(applicationId: string, role: ApplicationRole): Promise<boolean> {
      const { id: _id, application_id: _application, insert_instant: _inserted, ...set } = roleRow(applicationId, role);
      const result = await rethrowDuplicate(
        db.updateTable('application_roles').set(set).where('id', '=', role.id).where('application_id', '=', applicationId).executeTakeFirst(),
      );
      return result.numUpdatedRows > 0n;
    },

    /** Deletes a role of this application, by id or by name (any case); returns whether one was deleted. */
    async deleteRole(applicationId: string, role: { readonly id: string } | { readonly name: string }): Promise<boolean> {
      let query = db.deleteFrom('application_roles').where('application_id', '=', applicationId);
      query = 'id' in role ? query.where('id', '=', role.id) : query.where((eb) => eb(eb.fn('lower', ['name']), '=', role.name.toLowerCase()));
      const result = await query.executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type ApplicationRepository = ReturnType<typeof createApplicationRepository>;
