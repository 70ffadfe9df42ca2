/** A throw-away PostgreSQL database per benchmark run (dropped by the run's clean-ups) and Gatehouse's master key for it. */
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { cliPath } from './options.ts';
import type { Processes } from './processes.ts';
import { log } from './util.ts';

export interface BenchDatabase {
  readonly name: string;
  /** The admin URL with this database as its path. */
  readonly url: string;
  /** Pids of the PostgreSQL backends serving this database, so their CPU is not counted as a disturbance. */
  pids(): Promise<number[]>;
  /** Drops and creates it again, empty. */
  reset(): Promise<void>;
}

async function adminQuery<R extends pg.QueryResultRow>(adminUrl: string, statement: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<R>(statement, values)).rows;
  } finally {
    await client.end();
  }
}

/** Creates `<prefix>_<pid>_<time>` through `adminUrl` (a role that may create databases) and registers its drop. */
export async function createBenchDatabase(processes: Processes, adminUrl: string, prefix = 'gatehouse_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  await adminQuery(adminUrl, `create database ${name}`);
  processes.cleanups.push(async () => {
    await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    log(`dropped database ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    pids: async () => (await adminQuery<{ pid: number }>(adminUrl, 'select pid from pg_stat_activity where datname = $1', [name])).map((row) => row.pid),
    reset: async () => {
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
      await adminQuery(adminUrl, `create database ${name}`);
    },
  };
}

/** A new master key ring (`gatehouse generate-master-key`), required to run Gatehouse on PostgreSQL. */
export function generateMasterKey(): string {
  const result = spawnSync(process.execPath, [cliPath, 'generate-master-key'], { encoding: 'utf8', timeout: 30_000 });
  const key = result.stdout.trim();
  if (result.status !== 0 || key === '') throw new Error(`generate-master-key failed: ${result.stderr}`);
  return key;
}
