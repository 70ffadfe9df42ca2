import { sql, type Kysely, type Selectable } from 'kysely';
import type { ApplicationScopeTable, Database } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

/** A custom OAuth scope of one application (FusionAuth's ApplicationOAuthScope). */
export interface ApplicationScope {
  readonly id: string;
  readonly applicationId: string;
  /** The value clients put in `scope`; unique per application, case-sensitive. */
  readonly name: string;
  readonly description: string | undefined;
  readonly defaultConsentMessage: string | undefined;
  readonly defaultConsentDetail: string | undefined;
  readonly required: boolean;
  readonly data: Record<string, unknown>;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

function toScope(row: Selectable<ApplicationScopeTable>): ApplicationScope {
  return {
    id: row.id,
    applicationId: row.application_id,
    name: row.name,
    description: row.description ?? undefined,
    defaultConsentMessage: row.default_consent_message ?? undefined,
    defaultConsentDetail: row.default_consent_detail ?? undefined,
    required: row.required,
    data: row.data,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function scopeRow(scope: ApplicationScope) {
  return {
    id: scope.id,
    application_id: scope.applicationId,
    name: scope.name,
    description: scope.description ?? null,
    default_consent_message: scope.defaultConsentMessage ?? null,
    default_consent_detail: scope.defaultConsentDetail ?? null,
    required: scope.required,
    data: JSON.stringify(scope.data),
    insert_instant: scope.insertInstant,
    last_update_instant: scope.lastUpdateInstant,
  };
}

export function createApplicationScopeRepository(db: Kysely<Database>) {
  return {
    /**
     * The scopes of the applications `filter` selects (one, or the active/inactive ones of a tenant),
     * grouped by application id and sorted by name in code point order. A subquery rather than a list
     * of ids, so a tenant with many applications stays under the bind-parameter limit.
     */
    async listByApplications(filter: { readonly id?: string; readonly active?: boolean; readonly tenantId?: string | undefined }): Promise<Map<string, ApplicationScope[]>> {
      let owners = db.selectFrom('applications').select('id');
      if (filter.id !== undefined) owners = owners.where('id', '=', filter.id);
      if (filter.active !== undefined) owners = owners.where('active', '=', filter.active);
      if (filter.tenantId !== undefined) owners = owners.where('tenant_id', '=', filter.tenantId);
      const rows = await db.selectFrom('application_scopes').selectAll().where('application_id', 'in', owners).orderBy(sql`name collate "C"`).orderBy('id').execute();
      const grouped = new Map<string, ApplicationScope[]>();
      for (const row of rows) {
        const list = grouped.get(row.application_id) ?? [];
        list.push(toScope(row));
        grouped.set(row.application_id, list);
      }
      return grouped;
    },

    /** One application's scopes, sorted by name (code point order). */
    async listByApplication(applicationId: string): Promise<ApplicationScope[]> {
      const rows = await db.selectFrom('application_scopes').selectAll().where('application_id', '=', applicationId).orderBy(sql`name collate "C"`).orderBy('id').execute();
      return rows.map(toScope);
    },

    async find(applicationId: string, scopeId: string): Promise<ApplicationScope | undefined> {
      const row = await db.selectFrom('application_scopes').selectAll().where('id', '=', scopeId).where('application_id', '=', applicationId).executeTakeFirst();
      return row === undefined ? undefined : toScope(row);
    },

    /** Whether a scope has this id, in any application (ids are global, as FusionAuth's are). */
    async idTaken(scopeId: string): Promise<boolean> {
      return (await db.selectFrom('application_scopes').select('id').where('id', '=', scopeId).executeTakeFirst()) !== undefined;
    },

    /** Throws DuplicateError (application_scopes_pkey, application_scopes_name_key). */
    async insert(scopes: readonly ApplicationScope[]): Promise<void> {
      // In batches: one statement for every scope could pass PostgreSQL's 65535 bind-parameter limit.
      for (let start = 0; start < scopes.length; start += 1000) {
        await rethrowDuplicate(db.insertInto('application_scopes').values(scopes.slice(start, start + 1000).map(scopeRow)).execute());
      }
    },

    /** Replaces everything but the name and the insert instant; returns whether the scope exists. */
    async update(scope: ApplicationScope): Promise<boolean> {
      const { id: _id, application_id: _application, name: _name, insert_instant: _inserted, ...set } = scopeRow(scope);
      const result = await db.updateTable('application_scopes').set(set).where('id', '=', scope.id).where('application_id', '=', scope.applicationId).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Returns whether a scope was deleted. */
    async delete(applicationId: string, scopeId: string): Promise<boolean> {
      const result = await db.deleteFrom('application_scopes').where('id', '=', scopeId).where('application_id', '=', applicationId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type ApplicationScopeRepository = ReturnType<typeof createApplicationScopeRepository>;
