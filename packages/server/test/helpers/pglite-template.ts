import { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteInMemory } from '../../src/store/open-pglite.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * A fresh PGlite costs seconds (initdb in WASM); loading a dumped, already migrated data dir costs a
 * fraction. The dump is cached in the temp folder under a hash of the migration sources, so it is built
 * once per machine and rebuilt when a migration is added.
 */
async function templatePath(): Promise<string> {
  const folder = join(import.meta.dirname, '../../src/store/migrations');
  const hash = createHash('sha256');
  for (const name of (await readdir(folder)).sort()) hash.update(name).update(await readFile(join(folder, name)));
  return join(tmpdir(), `gatehouse-pglite-template-${hash.digest('hex').slice(0, 16)}.tar.gz`);
}

async function loadTemplate(): Promise<Blob> {
  const path = await templatePath();
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const pglite = await PGlite.create();
    const { Kysely } = await import('kysely');
    const { PgliteDialect } = await import('../../src/store/pglite-dialect.ts');
    const db = new Kysely<unknown>({ dialect: new PgliteDialect(pglite) });
    await migrateToLatest(db);
    const dump = await pglite.dumpDataDir('gzip');
    await db.destroy();
    await pglite.close();
    const bytes = Buffer.from(await dump.arrayBuffer());
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
    return new Blob([bytes]);
  }
}

/** An in-memory embedded store, migrated, isolated from every other test. */
export async function openTestPglite(): Promise<Store> {
  const store = await openPgliteInMemory(await loadTemplate());
  await migrateToLatest(store.db);
  return store;
}
