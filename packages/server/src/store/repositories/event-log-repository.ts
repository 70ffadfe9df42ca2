import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { likePattern } from '../like-pattern.ts';
import type { Database } from '../schema.ts';

/** An operator-facing log entry (FusionAuth's Event Log): failed upstream calls, webhook failures, key rotations. */
export interface EventLogEntry {
  readonly id?: string;
  readonly type: 'Information' | 'Debug' | 'Error';
  readonly message: string;
  readonly insertInstant: number;
}

export interface EventLogSearch {
  /** Case-insensitive; `*` a wildcard, none means "contains" (store/like-pattern.ts). */
  readonly message?: string | undefined;
  readonly type?: EventLogEntry['type'] | undefined;
  /** Inclusive bounds on insertInstant, in milliseconds. */
  readonly start?: number | undefined;
  readonly end?: number | undefined;
  readonly orderBy: readonly { readonly column: 'id' | 'insert_instant' | 'message' | 'type'; readonly descending: boolean }[];
  readonly startRow: number;
  readonly numberOfResults: number;
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

    /** One page of entries matching `search`, and how many match in all (newest first unless ordered). */
    async search(search: EventLogSearch): Promise<{ entries: EventLogEntry[]; total: number }> {
      const where = (eb: ExpressionBuilder<Database, 'event_logs'>): Expression<SqlBool> => {
        const conditions: Expression<SqlBool>[] = [];
        const message = search.message?.trim() ?? '';
        if (message !== '' && !/^\*+$/.test(message)) conditions.push(sql<boolean>`lower(message) like ${likePattern(message)}`);
        if (search.type !== undefined) conditions.push(eb('type', '=', search.type));
        if (search.start !== undefined) conditions.push(eb('insert_instant', '>=', search.start));
        if (search.end !== undefined) conditions.push(eb('insert_instant', '<=', search.end));
        return eb.and(conditions);
      };
      const counted = await db.selectFrom('event_logs').select((eb) => eb.fn.countAll<string>().as('total')).where(where).executeTakeFirstOrThrow();
      let query = db.selectFrom('event_logs').selectAll().where(where);
      for (const term of search.orderBy) query = query.orderBy(term.column, term.descending ? 'desc' : 'asc');
      const rows = await query.orderBy('id', 'desc').limit(search.numberOfResults).offset(search.startRow).execute();
      const entries = rows.map((row) => ({ id: String(row.id), type: row.type, message: row.message, insertInstant: Number(row.insert_instant) }));
      return { entries, total: Number(counted.total) };
    },
  };
}

export type EventLogRepository = ReturnType<typeof createEventLogRepository>;
