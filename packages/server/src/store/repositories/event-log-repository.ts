import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** An operator-facing log entry (FusionAuth's Event Log): failed upstream calls, webhook failures, key rotations. */
export interface EventLogEntry {
  readonly id?: string;
  readonly type: 'Information' | 'Debug' | 'Error';
  readonly message: string;
  readonly insertInstant: number;
}

export function createEventLogRepository(db: Kysely<Database>) {
  return {
    async insert(entry: EventLogEntry): Promise<string> {
      const row = await db.insertInto('event_logs').values({ type: entry.type, message: entry.message, insert_instant: entry.insertInstant }).returning('id').executeTakeFirstOrThrow();
      return String(row.id);
    },

    async find(id: string): Promise<EventLogEntry | undefined> {
      const row = await db.selectFrom('event_logs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : { id: String(row.id), type: row.type, message: row.message, insertInstant: Number(row.insert_instant) };
    },
  };
}

export type EventLogRepository = ReturnType<typeof createEventLogRepository>;
