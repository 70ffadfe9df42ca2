/**
 * Token vault benchmark (issue 7): the hub's fresh-token call GET /api/identity-provider/link/token on
 * PostgreSQL, against a real oidc-provider upstream (test/helpers/upstream-provider.ts, in this process)
 * with one user linked through Gatehouse's hosted sign-in. See docs/performance.md ("Token vault").
 *
 *   node packages/server/bench/vault-token.ts [--duration 10] [--connections 1,10,50] [--refreshes 200]
 *
 * (a) Cached path: the stored access token is valid, so every call answers from the database without
 *     the upstream (checked: the upstream sees no token request during the runs) — req/s, p50/p99.
 * (b) Refresh path: sequential forceRefresh calls, each one a refresh_token grant at the upstream with
 *     the link's row lock held and the rotated tokens sealed and committed — p50/p99 per call.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { positiveInteger, positiveIntegers } from './arguments.ts';
import { createBench } from './context.ts';
import { driverMachine, machineLine, saveResults } from './driver-results.ts';
import { percentiles, type Percentiles } from './oauth-measure.ts';
import { benchDir } from './options.ts';
import { createBenchDatabase, generateMasterKey } from './postgres-database.ts';
import { createProcesses, runCleanups, runMain, stopChild } from './processes.ts';
import { startServer } from './server.ts';
import { loadRunSummary, runAutocannon, type LoadRun } from './throughput.ts';
import { fmt, log } from './util.ts';
import { linkTokenUrl, linkUpstreamAccount } from '../test/helpers/spawned-federation.ts';
import { startUpstreamProvider } from '../test/helpers/upstream-provider.ts';

const usage = `Usage: node packages/server/bench/vault-token.ts [options]
  --duration S        seconds per cached-token load run (default 10)
  --connections LIST  connection counts of the cached-token runs (default 1,10,50)
  --warmup S          seconds of unrecorded cached-token load first (default 3)
  --refreshes N       sequential forceRefresh calls of the refresh-path run (default 200)
  --postgres-url URL  admin connection that may create databases (default $BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --out FILE          raw JSON results (default bench/results/vault-token-latest.json)
  --source TEXT       what code is measured, for the report (default: git commit and src/ state)`;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,10,50' },
    warmup: { type: 'string', default: '3' },
    refreshes: { type: 'string', default: '200' },
    'postgres-url': { type: 'string', default: process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    out: { type: 'string', default: join(benchDir, 'results', 'vault-token-latest.json') },
    source: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const durationSec = positiveInteger('duration', args.duration);
const connectionCounts = positiveIntegers('connections', args.connections);
const warmupSec = positiveInteger('warmup', args.warmup);
const refreshCount = positiveInteger('refreshes', args.refreshes);

interface VaultResults {
  readonly date: string;
  readonly machine: Record<string, string | number>;
  readonly settings: Record<string, string | number>;
  readonly cached: Array<{ connections: number; run: LoadRun }>;
  refresh: { calls: number; perCallMs: Percentiles } | undefined;
  readonly failures: string[];
}

const processes = createProcesses();
const bench = createBench(
  { durationSec, connections: Math.max(...connectionCounts), warmupSec, repeats: 1, warmRuns: 0, idleMs: 0, quietWaitSec: 0, skip: new Set(), wrkPath: undefined, postgresUrl: args['postgres-url'], out: args.out, source: args.source, report: undefined },
  processes,
);

function markdown(results: VaultResults): string {
  const rows = results.cached.map(({ connections, run }) =>
    `| cached token, ${connections} connection${connections === 1 ? '' : 's'} | ${fmt(run.reqPerSec)} req/s | ${run.latencyMs.p50} ms | ${run.latencyMs.p99} ms | ${run.errors + run.non2xx} | ${run.serverCpuPct ?? '–'} % / ${run.databaseCpuPct ?? '–'} % |`);
  if (results.refresh !== undefined) {
    const { calls, perCallMs } = results.refresh;
    rows.push(`| forceRefresh, sequential (${calls} calls) | ${fmt(1000 / perCallMs.mean, 0)} refreshes/s | ${perCallMs.p50} ms | ${perCallMs.p99} ms | ${results.failures.filter((failure) => failure.startsWith('forceRefresh')).length} | |`);
  }
  return [
    machineLine(results.machine, results.date),
    '',
    '| measurement | rate | p50 | p99 | errors | server / PostgreSQL CPU |',
    '|---|---|---|---|---|---|',
    ...rows,
    ...results.failures.map((failure) => `\nFAILED: ${failure}`),
  ].join('\n');
}

async function main(): Promise<number> {
  const results: VaultResults = {
    date: new Date().toISOString(),
    machine: driverMachine(args.source),
    settings: { durationSec, connections: connectionCounts.join(','), warmupSec, refreshes: refreshCount },
    cached: [],
    refresh: undefined,
    failures: [],
  };
  const database = await createBenchDatabase(processes, args['postgres-url'], 'gatehouse_bench_vault');
  const dir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-vault-'));
  processes.cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const upstream = await startUpstreamProvider();
  processes.cleanups.push(() => upstream.close());
  const apiKey = `bench-vault-${randomBytes(16).toString('hex')}`;
  const kickstart = join(dir, 'kickstart.json');
  await writeFile(kickstart, JSON.stringify({ apiKeys: [{ key: apiKey }], requests: [] }));
  const server = await startServer(processes, {
    kind: 'gatehouse',
    env: { DATABASE_URL: database.url, GATEHOUSE_MASTER_KEY: generateMasterKey(), GATEHOUSE_DATA_DIR: join(dir, 'data'), GATEHOUSE_KICKSTART: kickstart, GATEHOUSE_LOG_LEVEL: 'warn', GATEHOUSE_ALLOW_PRIVATE_NETWORK: 'true' },
    readyTimeoutMs: 60_000,
  });
  try {
    log(`gatehouse pid ${server.pid} on ${server.baseUrl}; linking a user through the upstream`);
    const link = await linkUpstreamAccount({ baseUrl: server.baseUrl, apiKey }, upstream);
    const url = linkTokenUrl(server.baseUrl, link);
    const headers = { authorization: apiKey };

    const upstreamBefore = upstream.tokenRequests;
    await runAutocannon(bench, url, 1, warmupSec, server.pid, await database.pids(), { headers, connections: Math.max(...connectionCounts) });
    for (const connections of connectionCounts) {
      const run = await runAutocannon(bench, url, 1, durationSec, server.pid, await database.pids(), { headers, connections });
      log(loadRunSummary(`cached token, ${connections} connections`, run));
      results.cached.push({ connections, run });
      if (run.errors + run.non2xx > 0) results.failures.push(`cached token, ${connections} connections: ${run.errors} errors, ${run.non2xx} non-2xx`);
    }
    if (upstream.tokenRequests !== upstreamBefore) results.failures.push(`the cached runs called the upstream's token endpoint ${upstream.tokenRequests - upstreamBefore} times`);

    const forceUrl = linkTokenUrl(server.baseUrl, link, { forceRefresh: 'true' });
    const samples: number[] = [];
    for (let call = 0; call < refreshCount; call += 1) {
      const started = performance.now();
      const response = await fetch(forceUrl, { headers });
      await response.arrayBuffer();
      samples.push(performance.now() - started);
      if (response.status !== 200) {
        results.failures.push(`forceRefresh call ${call + 1} answered ${response.status}`);
        break;
      }
    }
    results.refresh = { calls: samples.length, perCallMs: percentiles(samples) };
    log(`refresh path: ${samples.length} calls, p50 ${results.refresh.perCallMs.p50} ms, p99 ${results.refresh.perCallMs.p99} ms`);
  } finally {
    await stopChild(server.child);
  }
  await runCleanups(processes);
  return saveResults(args.out, results, markdown);
}

await runMain(processes, Math.ceil((connectionCounts.length * (durationSec + 20) + warmupSec + 120 + refreshCount / 10) / 60) + 5, main);
