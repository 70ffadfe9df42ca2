import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';

describe('data dir lock', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-lock-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second holder while the first is alive, then frees the dir on release', async () => {
    const first = await lockDataDir(dir);
    await assert.rejects(lockDataDir(dir), (error: unknown) => {
      assert.ok(error instanceof DataDirLockedError);
      assert.match(error.message, new RegExp(`in use by process ${process.pid}@`));
      return true;
    });
    await first.release();
    const second = await lockDataDir(dir);
    await second.release();
  });

  it('takes over a lock left by a process that is gone', async () => {
    // pid 2^22+1 is above Linux's pid_max default and never alive.
    await writeFile(join(dir, 'gatehouse.lock'), `4194305@${hostname()}`);
    const lock = await lockDataDir(dir);
    assert.equal(await readFile(join(dir, 'gatehouse.lock'), 'utf8'), `${process.pid}@${hostname()}`);
    await lock.release();
  });
});
