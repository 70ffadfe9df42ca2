import { hostname } from 'node:os';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * PGlite opens a data dir that another process already has open without complaint, and two writers
 * corrupt it. A lock file holding the owner's pid keeps a second process out; a lock left by a process
 * that died is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = join(dataDir, 'gatehouse.lock');
  const owner = `${process.pid}@${hostname()}`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(file, owner, { flag: 'wx', mode: 0o600 });
      return {
        async release() {
          await unlink(file).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (holderIsAlive(holder)) {
      throw new DataDirLockedError(
        `data dir ${dataDir} is in use by process ${holder}; stop it first, or give this process its own GATEHOUSE_DATA_DIR`,
      );
    }
    await unlink(file).catch(() => undefined);
  }
  throw new DataDirLockedError(`could not lock data dir ${dataDir}: another process keeps taking ${file}`);
}

function holderIsAlive(holder: string): boolean {
  const [pidText, host] = holder.split('@');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (host !== hostname()) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
