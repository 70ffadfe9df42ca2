import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.ts';
import { UnsealError, type KeyRing } from './key-ring.ts';
import { sealContextOf, sealedColumns, type SealedColumn } from './sealed-columns.ts';

/** Where the next batch of a column starts: the primary key values of the last row seen. */
export type ResealCursor = readonly unknown[];

export interface ResealBatchResult {
  /** Rows now sealed with the active key. */
  readonly resealed: number;
  /** Rows the ring could not open (key not in the ring, or a value moved from another row): left as they are. */
  readonly failed: number;
  /** Undefined once the pass reached the end of the table. */
  readonly next: ResealCursor | undefined;
}

export interface ResealProgress {
  readonly column: SealedColumn;
  readonly resealed: number;
  readonly failed: number;
}

export interface ResealColumnResult extends ResealProgress {
  /** Rows still sealed with another key at the end: the failed ones, or rows a writer held locked throughout. */
  readonly remaining: number;
}

export interface ResealOptions {
  readonly batchSize?: number;
  readonly columns?: readonly SealedColumn[];
  /** Called after every batch with the column's running totals. */
  readonly onProgress?: (progress: ResealProgress) => void;
  /** Passes over a column while rows were skipped because a writer held them (bounded: a busy row may stay behind). */
  readonly maxPasses?: number;
}

export interface SealStatus {
  readonly column: SealedColumn;
  /** Sealed rows per key id; `(unreadable)` counts values in no known format. */
  readonly rowsByKeyId: Readonly<Record<string, number>>;
}

export const unreadableKeyId = '(unreadable)';
const formatVersion = 1;

/**
 * The first bytes of every value the active key seals (key-ring.ts: version, id length, id). Comparing
 * prefixes in SQL lets a batch skip rows already re-sealed without reading them, so batches make
 * progress on big tables and a second rotation is a no-op scan.
 */
function activeHeader(keyRing: KeyRing): Buffer {
  const id = Buffer.from(keyRing.activeKeyId);
  return Buffer.concat([Buffer.from([formatVersion, id.length]), id]);
}

function list(values: readonly RawBuilder<unknown>[]): RawBuilder<unknown> {
  return sql`(${sql.join(values)})`;
}

function notUnderActiveKey(column: SealedColumn, header: Buffer): RawBuilder<unknown> {
  const value = sql.ref(column.column);
  return sql`${value} is not null and substring(${value} from 1 for ${sql.lit(header.length)}) <> ${header}`;
}

/**
 * Re-seals with the active key up to `batchSize` rows of `column` still sealed with another key, after
 * `after` in primary key order, in one transaction. Rows are locked `FOR UPDATE SKIP LOCKED` and read
 * under that lock, so several rotations can run at once without doing a row twice, and a concurrent
 * writer is neither waited for nor overwritten with a stale value: its row is skipped (a later pass
 * finds it, or the writer already sealed it with the active key).
 */
export async function resealBatch(
  db: Kysely<Database>,
  keyRing: KeyRing,
  column: SealedColumn,
  batchSize: number,
  after?: ResealCursor,
): Promise<ResealBatchResult> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  const primaryKey = list(column.primaryKey.map((name) => sql.ref(name)));
  const value = sql.ref(column.column);
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<Record<string, unknown> & { context_row: unknown; sealed: Uint8Array }>`
      select ${sql.join(column.primaryKey.map((name, index) => sql`${sql.ref(name)} as ${sql.id(`pk${index}`)}`))},
        ${sql.ref(column.contextRow.column)} as context_row, ${value} as sealed
      from ${sql.table(column.table)}
      where ${notUnderActiveKey(column, activeHeader(keyRing))}
        ${after === undefined ? sql`` : sql`and ${primaryKey} > ${list(after.map((part) => sql`${part}`))}`}
      order by ${sql.join(column.primaryKey.map((name) => sql.ref(name)))}
      limit ${sql.lit(batchSize)}
      for update skip locked`.execute(trx);
    let resealed = 0;
    let failed = 0;
    let last: unknown[] | undefined;
    for (const row of rows) {
      const key = column.primaryKey.map((_, index) => row[`pk${index}`]);
      last = key;
      const context = sealContextOf(column, row.context_row);
      let plaintext: Buffer;
      try {
        plaintext = keyRing.unseal(row.sealed, context);
      } catch (error) {
        if (!(error instanceof UnsealError)) throw error;
        failed += 1;
        continue;
      }
      const fresh = keyRing.seal(plaintext, context);
      plaintext.fill(0);
      // The row is locked and was read under the lock; comparing the old value too keeps this an explicit
      // compare-and-swap should the locking ever change.
      await sql`
        update ${sql.table(column.table)} set ${value} = ${fresh}
        where ${primaryKey} = ${list(key.map((part) => sql`${part}`))} and ${value} = ${Buffer.from(row.sealed)}`.execute(trx);
      resealed += 1;
    }
    return { resealed, failed, next: rows.length < batchSize ? undefined : last };
  });
}

async function countNotUnderActiveKey(db: Kysely<Database>, column: SealedColumn, header: Buffer): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    select count(*)::int as count from ${sql.table(column.table)} where ${notUnderActiveKey(column, header)}`.execute(db);
  return rows[0]?.count ?? 0;
}

/**
 * Re-seals every sealed column with the active key, batch by batch, while the server keeps serving. Safe
 * to run again (rows under the active key are not touched) and from several processes at once.
 */
export async function resealAll(db: Kysely<Database>, keyRing: KeyRing, options: ResealOptions = {}): Promise<ResealColumnResult[]> {
  const batchSize = options.batchSize ?? 200;
  const maxPasses = options.maxPasses ?? 3;
  const header = activeHeader(keyRing);
  const results: ResealColumnResult[] = [];
  for (const column of options.columns ?? sealedColumns) {
    let resealed = 0;
    let failed = 0;
    let remaining = 0;
    for (let pass = 1; pass <= maxPasses; pass += 1) {
      let passResealed = 0;
      failed = 0;
      let cursor: ResealCursor | undefined;
      do {
        const batch = await resealBatch(db, keyRing, column, batchSize, cursor);
        passResealed += batch.resealed;
        failed += batch.failed;
        cursor = batch.next;
        options.onProgress?.({ column, resealed: resealed + passResealed, failed });
      } while (cursor !== undefined);
      resealed += passResealed;
      remaining = await countNotUnderActiveKey(db, column, header);
      // Anything beyond the failed rows was locked by a writer during the pass: look again, a bounded number of times.
      if (remaining <= failed || passResealed === 0) break;
    }
    results.push({ column, resealed, failed, remaining });
  }
  return results;
}

/** Per sealed column, how many rows each master key sealed: a key no column names can leave the ring. */
export async function sealStatus(db: Kysely<Database>, columns: readonly SealedColumn[] = sealedColumns): Promise<SealStatus[]> {
  const statuses: SealStatus[] = [];
  for (const column of columns) {
    const value = sql.ref(column.column);
    const { rows } = await sql<{ key_id: Uint8Array | null; count: number }>`
      select case when length(${value}) >= 2 and get_byte(${value}, 0) = ${sql.lit(formatVersion)}
               then substring(${value} from 3 for get_byte(${value}, 1)) end as key_id,
             count(*)::int as count
      from ${sql.table(column.table)} where ${value} is not null group by 1 order by 1`.execute(db);
    const rowsByKeyId: Record<string, number> = {};
    for (const row of rows) {
      const id = row.key_id === null ? unreadableKeyId : Buffer.from(row.key_id).toString('utf8');
      rowsByKeyId[id] = (rowsByKeyId[id] ?? 0) + row.count;
    }
    statuses.push({ column, rowsByKeyId });
  }
  return statuses;
}

/** Every key id some sealed value still names, in first-seen order. */
export function keyIdsInUse(statuses: readonly SealStatus[]): string[] {
  return [...new Set(statuses.flatMap((status) => Object.keys(status.rowsByKeyId)))];
}
