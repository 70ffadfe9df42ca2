import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyRing, generateMasterKeySpec, parseMasterKeys, type KeyRing, type MasterKey } from './key-ring.ts';

/**
 * The embedded default keeps its generated key ring beside the store, readable by its owner only.
 * Returns the key ring spec, creating the file on first use.
 */
export async function loadOrCreateMasterKeyFile(dataDir: string): Promise<string> {
  const file = join(dataDir, 'master-key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const spec = generateMasterKeySpec();
  await writeFile(file, `${spec}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return spec;
}

/** The configured key ring, or for the embedded store (which may generate its own) the one in the data dir. */
export async function loadMasterKeyRing(config: { masterKey: readonly MasterKey[] | undefined; dataDir: string }): Promise<KeyRing> {
  if (config.masterKey !== undefined) return createKeyRing(config.masterKey);
  return createKeyRing(parseMasterKeys(await loadOrCreateMasterKeyFile(config.dataDir)));
}
