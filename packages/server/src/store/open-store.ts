import type { Config } from '../config/options.ts';
import { migrateToLatest } from './migrate.ts';
import { openPglite } from './open-pglite.ts';
import { openPostgres } from './open-postgres.ts';
import type { Store } from './store.ts';

/** Opens the configured backend and brings its schema up to date. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'databasePoolSize' | 'dataDir'>): Promise<Store> {
  const store =
    config.databaseUrl === undefined ? await openPglite(config.dataDir) : openPostgres(config.databaseUrl, config.databasePoolSize);
  try {
    await migrateToLatest(store.db);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
