import { openPostgres } from '../../src/store/open-postgres.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import type { Store, StoreBackend } from '../../src/store/store.ts';
import { openTestPglite } from './pglite-template.ts';
import { createTestDatabase } from './postgres-database.ts';

export interface TestStore {
  readonly store: Store;
  /** PostgreSQL URL of this store's database (postgres backend only). */
  readonly url: string | undefined;
  dispose(): Promise<void>;
}

export const backends: readonly StoreBackend[] = ['pglite', 'postgres'];

/** A migrated, empty store of the given backend; `dispose()` closes it and drops its database. */
export async function openTestStore(backend: StoreBackend): Promise<TestStore> {
  if (backend === 'pglite') {
    const store = await openTestPglite();
    return { store, url: undefined, dispose: () => store.close() };
  }
  const database = await createTestDatabase();
  const store = openPostgres(database.url, 5);
  await migrateToLatest(store.db);
  return {
    store,
    url: database.url,
    async dispose() {
      await store.close();
      await database.drop();
    },
  };
}
