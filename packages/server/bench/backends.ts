/** The servers measured: the embedded and PostgreSQL backends (start-up first, then load targets) and the Fastify baselines. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import type { Bench } from './context.ts';
import { serverDir } from './options.ts';
import { createBenchDatabase, generateMasterKey } from './postgres-database.ts';
import type { Results } from './report.ts';
import { startupSample, summarize, warmRestarts } from './startup.ts';
import type { LoadCase, LoadTarget } from './throughput.ts';
import { log } from './util.ts';

const gatehouseCases: readonly LoadCase[] = [
  { endpoint: 'status', pipelining: 1 },
  { endpoint: 'jwks', pipelining: 1 },
  { endpoint: 'jwks', pipelining: 10 },
];
const loggingCases: readonly LoadCase[] = [{ endpoint: 'jwks', pipelining: 1 }];

export async function embedded(bench: Bench, results: Results, targets: LoadTarget[]): Promise<void> {
  const { skip } = bench.options;
  const { cleanups } = bench.processes;
  const dir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-'));
  cleanups.push(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = { GATEHOUSE_DATA_DIR: join(dir, 'data'), GATEHOUSE_LOG_LEVEL: 'info' };
  const reset = async () => {
    await rm(env.GATEHOUSE_DATA_DIR, { recursive: true, force: true });
  };
  results.startup.embedded.first = summarize([await startupSample(bench, 'embedded cold start', env, { reset })]);
  results.startup.embedded.warm = await warmRestarts(bench, 'embedded warm restart', env);
  targets.push({ label: 'embedded', logLevel: 'warn', options: { kind: 'gatehouse', env: { ...env, GATEHOUSE_LOG_LEVEL: 'warn' } }, cases: gatehouseCases });
  if (!skip.has('info')) {
    // A data dir is locked by its one process: the info-level server gets a store of its own.
    const infoEnv = { GATEHOUSE_DATA_DIR: join(dir, 'data-info'), GATEHOUSE_LOG_LEVEL: 'info' };
    targets.push({ label: 'embedded', logLevel: 'info', options: { kind: 'gatehouse', env: infoEnv, stdoutToDevNull: true }, cases: loggingCases });
  }
}

export async function postgres(bench: Bench, results: Results, targets: LoadTarget[]): Promise<void> {
  const { skip } = bench.options;
  const { cleanups } = bench.processes;
  const database = await createBenchDatabase(bench.processes, bench.options.postgresUrl);
  const masterKey = generateMasterKey();

  const dir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-pg-'));
  cleanups.push(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = {
    DATABASE_URL: database.url,
    GATEHOUSE_MASTER_KEY: masterKey,
    GATEHOUSE_DATA_DIR: join(dir, 'data'),
    GATEHOUSE_LOG_LEVEL: 'info',
  };
  const databasePids = database.pids;
  const reset = database.reset;
  results.startup.postgres.first = summarize([await startupSample(bench, 'postgres first start', env, { reset, databasePids })]);
  results.startup.postgres.warm = await warmRestarts(bench, 'postgres warm restart', env, databasePids);
  // Both servers share the database (as nodes of a cluster would); each has its own data dir.
  const warnEnv = { ...env, GATEHOUSE_LOG_LEVEL: 'warn' };
  targets.push({ label: 'postgres', logLevel: 'warn', options: { kind: 'gatehouse', env: warnEnv }, cases: gatehouseCases, databasePids });
  if (!skip.has('info')) {
    const infoEnv = { ...env, GATEHOUSE_DATA_DIR: join(dir, 'data-info'), GATEHOUSE_LOG_LEVEL: 'info' };
    targets.push({ label: 'postgres', logLevel: 'info', options: { kind: 'gatehouse', env: infoEnv, stdoutToDevNull: true }, cases: loggingCases, databasePids });
  }
}

function installed(name: string): boolean {
  try {
    createRequire(join(serverDir, 'package.json')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

export function baselineTargets(): LoadTarget[] {
  const targets: LoadTarget[] = [
    { label: 'bare Fastify', logLevel: '-', options: { kind: 'bare' }, cases: [{ endpoint: 'jwks', pipelining: 1 }, { endpoint: 'jwks', pipelining: 10 }] },
    { label: "Fastify + Gatehouse's security headers", logLevel: '-', options: { kind: 'headers' }, cases: [{ endpoint: 'jwks', pipelining: 1 }] },
  ];
  if (installed('@fastify/helmet')) {
    targets.push({ label: 'Fastify + @fastify/helmet', logLevel: '-', options: { kind: 'helmet' }, cases: [{ endpoint: 'jwks', pipelining: 1 }] });
  } else {
    log('@fastify/helmet is not installed: its reference server is left out');
  }
  return targets;
}
