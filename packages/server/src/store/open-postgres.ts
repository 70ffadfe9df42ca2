import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { prepareStatements } from './prepared-statements.ts';
import { int8Oid, parseInt8 } from './result-types.ts';
import type { Database } from './schema.ts';
import { createStore, type Store } from './store.ts';

/**
 * Opens the production store. Type parsers are set on this pool only: no process-wide pg state.
 * (bytea already comes back as Buffer from pg; int8 is made a number as on PGlite.)
 */
export function openPostgres(url: string, poolSize: number): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === int8Oid) return parseInt8;
        return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reports the failure.
  pool.on('error', () => undefined);
  prepareStatements(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return createStore('postgres', db, async () => undefined);
}
