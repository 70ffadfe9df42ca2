import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import { byteaOid, int8Oid, parseByteaText, parseInt8 } from './result-types.ts';
import type { Database } from './schema.ts';
import { createStore, type Store } from './store.ts';

const parsers = { [int8Oid]: parseInt8, [byteaOid]: parseByteaText };

/** Opens the embedded store in `<dataDir>/pglite`, holding the data dir's lock until close. */
export async function openPglite(dataDir: string): Promise<Store> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create({ dataDir: join(dataDir, 'pglite'), parsers });
    return wrap(pglite, lock.release);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** An in-memory embedded store, optionally starting from a dumped data dir (tests use a migrated template). */
export async function openPgliteInMemory(template?: Blob | File): Promise<Store> {
  const pglite = await PGlite.create(template === undefined ? { parsers } : { parsers, loadDataDir: template });
  return wrap(pglite, async () => undefined);
}

function wrap(pglite: PGlite, release: () => Promise<void>): Store {
  const db = new Kysely<Database>({ dialect: new PgliteDialect(pglite) });
  return createStore('pglite', db, async () => {
    await pglite.close();
    await release();
  });
}
