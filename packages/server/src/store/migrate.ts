import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrationProvider } from './migrations/index.ts';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * Brings the schema to the latest migration. Kysely's PostgreSQL adapter holds a transaction-scoped
 * advisory lock around the run, so nodes starting together on one database migrate once, in turn.
 * Returns the names of the migrations this call applied.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  if (await isCurrent(db)) return [];
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    const where = failed === undefined ? '' : ` in ${failed.migrationName}`;
    throw new MigrationError(`migration failed${where}: ${(error as Error).message}`, { cause: error });
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/**
 * Whether every known migration is recorded already: one read instead of the migrator's lock table,
 * advisory lock and catalog checks, which cost ~0.2 s of every restart on the embedded store. Any doubt
 * (no migration table yet, a read error) falls back to the migrator.
 */
async function isCurrent<DB>(db: Kysely<DB>): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(rows.map((row) => row.name));
    return Object.keys(await migrationProvider.getMigrations()).every((name) => applied.has(name));
  } catch {
    return false;
  }
}
