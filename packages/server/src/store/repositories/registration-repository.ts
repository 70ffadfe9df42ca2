import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RegistrationTable } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

export interface Registration {
  readonly id: string;
  readonly userId: string;
  readonly applicationId: string;
  readonly roles: readonly string[];
  readonly username: string | undefined;
  readonly data: Readonly<Record<string, unknown>>;
  readonly verified: boolean;
  readonly lastLoginInstant: number | undefined;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

/**
 * A select column holding the registrations of the `users` row in the same query, oldest first, as JSON
 * rows for toRegistration: reads a user with its registrations in one round trip.
 */
export const registrationRowsOfUser = sql<Selectable<RegistrationTable>[]>`coalesce((select json_agg(r order by r.insert_instant) from registrations r where r.user_id = users.id), '[]'::json)`.as(
  'registration_rows',
);

export function toRegistration(row: Selectable<RegistrationTable>): Registration {
  return {
    id: row.id,
    userId: row.user_id,
    applicationId: row.application_id,
    roles: row.roles,
    username: row.username ?? undefined,
    data: row.data,
    verified: row.verified,
    lastLoginInstant: row.last_login_instant ?? undefined,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function toRow(registration: Registration) {
  return {
    id: registration.id,
    user_id: registration.userId,
    application_id: registration.applicationId,
    roles: JSON.stringify(registration.roles),
    username: registration.username ?? null,
    data: JSON.stringify(registration.data),
    verified: registration.verified,
    last_login_instant: registration.lastLoginInstant ?? null,
    insert_instant: registration.insertInstant,
    last_update_instant: registration.lastUpdateInstant,
  };
}

export function createRegistrationRepository(db: Kysely<Database>) {
  return {
    async find(userId: string, applicationId: string): Promise<Registration | undefined> {
      const row = await db
        .selectFrom('registrations')
        .selectAll()
        .where('user_id', '=', userId)
        .where('application_id', '=', applicationId)
        .executeTakeFirst();
      return row === undefined ? undefined : toRegistration(row);
    },

    async listByUser(userId: string): Promise<Registration[]> {
      const rows = await db.selectFrom('registrations').selectAll().where('user_id', '=', userId).orderBy('insert_instant').execute();
      return rows.map(toRegistration);
    },

    /** Registrations of many users at once (user search results), grouped by user id. */
    async listByUsers(userIds: readonly string[]): Promise<Map<string, Registration[]>> {
      const grouped = new Map<string, Registration[]>();
      if (userIds.length === 0) return grouped;
      const rows = await db.selectFrom('registrations').selectAll().where('user_id', 'in', [...userIds]).orderBy('insert_instant').execute();
      for (const row of rows) {
        const list = grouped.get(row.user_id) ?? [];
        list.push(toRegistration(row));
        grouped.set(row.user_id, list);
      }
      return grouped;
    },

    /** Throws DuplicateError (registrations_user_id_application_id_key) when the user is already registered. */
    async insert(registration: Registration): Promise<void> {
      await rethrowDuplicate(db.insertInto('registrations').values(toRow(registration)).execute());
    },

    async update(registration: Registration): Promise<void> {
      const { id: _id, user_id: _user, application_id: _application, insert_instant: _inserted, ...changes } = toRow(registration);
      await db.updateTable('registrations').set(changes).where('id', '=', registration.id).execute();
    },

    async recordLogin(id: string, instant: number): Promise<void> {
      await db.updateTable('registrations').set({ last_login_instant: instant }).where('id', '=', id).execute();
    },

    async delete(userId: string, applicationId: string): Promise<boolean> {
      const result = await db.deleteFrom('registrations').where('user_id', '=', userId).where('application_id', '=', applicationId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type RegistrationRepository = ReturnType<typeof createRegistrationRepository>;
