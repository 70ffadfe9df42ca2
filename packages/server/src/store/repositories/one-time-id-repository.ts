import type { Kysely, Selectable } from 'kysely';
import type { Database, OneTimeIdTable } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

export type OneTimeIdKind = OneTimeIdTable['kind'];

/** A change-password or email-verification id as stored: its hash, never its value. */
export interface OneTimeIdRecord {
  readonly idHash: Buffer;
  readonly kind: OneTimeIdKind;
  readonly userId: string;
  readonly applicationId: string | undefined;
  readonly email: string | undefined;
  readonly state: Readonly<Record<string, unknown>> | undefined;
  readonly insertInstant: number;
  readonly expirationInstant: number;
}

function toRecord(row: Selectable<OneTimeIdTable>): OneTimeIdRecord {
  return {
    idHash: row.id,
    kind: row.kind,
    userId: row.user_id,
    applicationId: row.application_id ?? undefined,
    email: row.email ?? undefined,
    state: row.state ?? undefined,
    insertInstant: row.insert_instant,
    expirationInstant: row.expiration_instant,
  };
}

/** One-time ids: found by hash and kind; `consume` deletes as it reads, so an id is used at most once. */
export function createOneTimeIdRepository(db: Kysely<Database>) {
  return {
    /** Throws DuplicateError (one_time_ids_pkey) when a caller-chosen id is already in use. */
    async insert(record: OneTimeIdRecord): Promise<void> {
      await rethrowDuplicate(
        db
          .insertInto('one_time_ids')
          .values({
            id: record.idHash,
            kind: record.kind,
            user_id: record.userId,
            application_id: record.applicationId ?? null,
            email: record.email ?? null,
            state: record.state === undefined ? null : JSON.stringify(record.state),
            insert_instant: record.insertInstant,
            expiration_instant: record.expirationInstant,
          })
          .execute(),
      );
    },

    async find(idHash: Buffer, kind: OneTimeIdKind): Promise<OneTimeIdRecord | undefined> {
      const row = await db.selectFrom('one_time_ids').selectAll().where('id', '=', idHash).where('kind', '=', kind).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    /** Deletes the id and returns what it was: of two concurrent uses, exactly one gets it. */
    async consume(idHash: Buffer, kind: OneTimeIdKind): Promise<OneTimeIdRecord | undefined> {
      const row = await db.deleteFrom('one_time_ids').where('id', '=', idHash).where('kind', '=', kind).returningAll().executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    /** Every id of this kind of the user, or only those expired by `expiredBy`; returns how many went. */
    async deleteByUser(userId: string, kind: OneTimeIdKind, expiredBy?: number): Promise<number> {
      let query = db.deleteFrom('one_time_ids').where('user_id', '=', userId).where('kind', '=', kind);
      if (expiredBy !== undefined) query = query.where('expiration_instant', '<=', expiredBy);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type OneTimeIdRepository = ReturnType<typeof createOneTimeIdRepository>;
