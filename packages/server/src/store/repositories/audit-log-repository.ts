import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { likePattern } from '../like-pattern.ts';
import type { Database } from '../schema.ts';

/** One audit entry (FusionAuth's Audit Log): who changed what, already redacted (events/redaction.ts). */
export interface AuditLogEntry {
  readonly id?: string;
  readonly insertInstant: number;
  /** `apiKey:<id>` for changes recorded by the management API; free text for entries added through it. */
  readonly insertUser?: string | undefined;
  readonly message: string;
  readonly reason?: string | undefined;
  /** Everything else, `oldValue` and `newValue` included (the API lifts those two to the top level). */
  readonly data: Record<string, unknown>;
}

export interface AuditLogSearch {
  /** Case-insensitive; `*` a wildcard, none means "contains" (store/like-pattern.ts). */
  readonly message?: string | undefined;
  readonly user?: string | undefined;
  readonly reason?: string | undefined;
  /** Inclusive bounds on insertInstant, in milliseconds. */
  readonly start?: number | undefined;
  readonly end?: number | undefined;
  readonly orderBy: readonly { readonly column: 'id' | 'insert_instant' | 'insert_user' | 'message'; readonly descending: boolean }[];
  readonly startRow: number;
  readonly numberOfResults: number;
}

type Builder = ExpressionBuilder<Database, 'audit_logs'>;

function filter(search: AuditLogSearch) {
  return (eb: Builder): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    const text = (column: 'message' | 'insert_user' | 'reason', value: string | undefined) => {
      if (value === undefined || value.trim() === '' || /^\*+$/.test(value.trim())) return;
      conditions.push(sql<boolean>`lower(coalesce(${sql.ref(column)}, '')) like ${likePattern(value.trim())}`);
    };
    text('message', search.message);
    text('insert_user', search.user);
    text('reason', search.reason);
    if (search.start !== undefined) conditions.push(eb('insert_instant', '>=', search.start));
    if (search.end !== undefined) conditions.push(eb('insert_instant', '<=', search.end));
    return eb.and(conditions);
  };
}

function toEntry(row: { id: string; insert_instant: number | string; insert_user: string | null; message: string; reason: string | null; data: Record<string, unknown> }): AuditLogEntry {
  return {
    id: String(row.id),
    insertInstant: Number(row.insert_instant),
    insertUser: row.insert_user ?? undefined,
    message: row.message,
    reason: row.reason ?? undefined,
    data: row.data,
  };
}

export function createAuditLogRepository(db: Kysely<Database>) {
  return {
    /** One insert; returns the new id (a bigserial, as text). */
    async insert(entry: AuditLogEntry): Promise<string> {
      const row = await db
        .insertInto('audit_logs')
        .values({ insert_instant: entry.insertInstant, insert_user: entry.insertUser ?? null, message: entry.message, reason: entry.reason ?? null, data: JSON.stringify(entry.data) })
        .returning('id')
        .executeTakeFirstOrThrow();
      return String(row.id);
    },

    async find(id: string): Promise<AuditLogEntry | undefined> {
      const row = await db.selectFrom('audit_logs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toEntry(row);
    },

    async search(search: AuditLogSearch): Promise<{ entries: AuditLogEntry[]; total: number }> {
      const where = filter(search);
      const counted = await db.selectFrom('audit_logs').select((eb) => eb.fn.countAll<string>().as('total')).where(where).executeTakeFirstOrThrow();
      let query = db.selectFrom('audit_logs').selectAll().where(where);
      for (const term of search.orderBy) query = query.orderBy(term.column, term.descending ? 'desc' : 'asc');
      const rows = await query.orderBy('id', 'desc').limit(search.numberOfResults).offset(search.startRow).execute();
      return { entries: rows.map(toEntry), total: Number(counted.total) };
    },
  };
}

export type AuditLogRepository = ReturnType<typeof createAuditLogRepository>;
