import { sql, type Kysely } from 'kysely';
import { createRepositories, type Repositories } from './repositories/index.ts';
import type { Database } from './schema.ts';

export type StoreBackend = 'postgres' | 'pglite';

/** The one storage interface the rest of Gatehouse sees, identical on both backends. */
export interface Store {
  readonly backend: StoreBackend;
  readonly db: Kysely<Database>;
  readonly repositories: Repositories;
  /** Runs `work` in one transaction: it all commits, or (on a throw) none of it does. */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  /** Whether the database answers a trivial query. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function createStore(backend: StoreBackend, db: Kysely<Database>, closeBackend: () => Promise<void>): Store {
  let closing: Promise<void> | undefined;
  return {
    backend,
    db,
    repositories: createRepositories(db),
    transaction(work) {
      return db.transaction().execute((trx) => work(createRepositories(trx)));
    },
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      closing ??= db.destroy().then(closeBackend);
      return closing;
    },
  };
}
