/**
 * OAuth benchmark (issue 4): refresh_token grant req/s and authorization-code round-trip latency of
 * Gatehouse, side by side with oidc-provider 9 configured equivalently (ES256, Reusable refresh tokens,
 * client_secret_basic, PKCE S256). See bench/README.md and docs/performance.md ("OAuth").
 *
 *   node packages/server/bench/oauth.ts [--duration 10] [--connections 10,50] [--round-trips 2000]
 *     [--concurrency 8] [--repeat 3] [--targets LIST] [--cpu-prof-dir DIR] [--help]
 *
 * One server process runs at a time: each target is started on an empty store, logged in once, warmed up,
 * measured and stopped before the next one starts; with --repeat the targets take turns again.
 */
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { choices, commonFlags, driverOptions, positiveInteger, positiveIntegers } from './arguments.ts';
import { createBench } from './context.ts';
import { driverMachine, saveResults } from './driver-results.ts';
import { loadRefresh, measureRoundTrips, refreshTokens, warmUp } from './oauth-measure.ts';
import { markdown, reportFile, type OAuthResults } from './oauth-report.ts';
import { createTargetStore, prepareTarget, targetIds, targetLabels, type TargetId, type TargetStore } from './oauth-targets.ts';
import { benchDir } from './options.ts';
import { createProcesses, runCleanups, runMain } from './processes.ts';
import { loadRunSummary } from './throughput.ts';
import { log } from './util.ts';

const usage = `Usage: node packages/server/bench/oauth.ts [options]
  --duration S        seconds per refresh_token load run (default 10)
  --connections LIST  connection counts of the refresh_token runs (default 10,50)
  --shared-token      also load the refresh grant with one token shared by all connections (at the largest count)
  --round-trips N     authorization-code round trips per round-trip run (default 2000)
  --concurrency LIST  round-trip workers per run; 1 = sequential (default 1,8)
  --warmup S          seconds of unrecorded refresh load per server start, plus 500 round trips (default 3)
  --repeat N          times every target is started and measured, in turns (default 3)
  --targets LIST      of ${targetIds.join(', ')} (default all)
  --quiet-wait S      total seconds to spend waiting for other processes to go below 25% of a core (default 600)
  --cpu-prof-dir DIR  run every server with --cpu-prof; its profile lands in DIR when it stops
  --postgres-url URL  admin connection that may create databases (default $BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --out FILE          raw JSON results (default bench/results/oauth-latest.json)
  --source TEXT       what code is measured, for the report (default: git commit and src/ state)
  --report FILE       measure nothing: print the report of an earlier run's raw JSON`;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10,50' },
    'shared-token': { type: 'boolean', default: false },
    'round-trips': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1,8' },
    warmup: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '3' },
    targets: { type: 'string', default: targetIds.join(',') },
    'cpu-prof-dir': { type: 'string' },
    ...commonFlags(join(benchDir, 'results', 'oauth-latest.json')),
  },
});
if (args.help) {
  console.log(usage);
  process.exit(0);
}

const durationSec = positiveInteger('duration', args.duration);
const connectionCounts = positiveIntegers('connections', args.connections);
const roundTripCount = positiveInteger('round-trips', args['round-trips']);
const concurrencies = positiveIntegers('concurrency', args.concurrency);
const warmupSec = positiveInteger('warmup', args.warmup);
const repeats = positiveInteger('repeat', args.repeat);
const targets = choices('targets', args.targets, targetIds);
const nodeArgs = args['cpu-prof-dir'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof-dir']];

const processes = createProcesses();
const options = driverOptions(args, { durationSec, connections: Math.max(...connectionCounts), warmupSec, repeats });
const bench = createBench(options, processes);

async function measureTarget(results: OAuthResults, id: TargetId, store: TargetStore, attempt: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = await prepareTarget(bench, id, store, agent, nodeArgs);
  agent.destroy();
  try {
    await warmUp(bench, target, warmupSec, 500);
    const refreshCases = connectionCounts.map((connections) => ({ connections, shared: false }));
    if (args['shared-token']) refreshCases.push({ connections: Math.max(...connectionCounts), shared: true });
    for (const { connections, shared } of refreshCases) {
      const what = `${id} refresh, ${connections} connections${shared ? ', one shared token' : ''} (run ${attempt}/${repeats})`;
      const tokens = await refreshTokens(target, shared ? 1 : connections);
      const run = await loadRefresh(bench, target, connections, durationSec, tokens, what);
      log(loadRunSummary(what, run));
      const entry = results.refresh.find((r) => r.target === id && r.connections === connections && (r.shared ?? false) === shared);
      if (entry === undefined) results.refresh.push({ target: id, connections, shared, runs: [run] });
      else entry.runs.push(run);
    }
    for (const concurrency of concurrencies) {
      const what = `${id} round trips ×${concurrency} (run ${attempt}/${repeats})`;
      const run = await measureRoundTrips(bench, target, roundTripCount, concurrency, what);
      log(
        `${what}: p50 ${run.totalMs.p50} ms, p99 ${run.totalMs.p99} ms (authorize ${run.authorizeMs.p50}, token ${run.tokenMs.p50}), ${run.perSec}/s, ` +
          `server CPU ${run.serverCpuPct ?? '?'}%${run.databaseCpuPct === undefined ? '' : `, PostgreSQL ${run.databaseCpuPct}%`}, client ${run.loaderCpuPct ?? '?'}%, others ${run.othersCpuPct ?? '?'}%`,
      );
      const entry = results.roundTrips.find((r) => r.target === id && r.concurrency === concurrency);
      if (entry === undefined) results.roundTrips.push({ target: id, concurrency, runs: [run] });
      else entry.runs.push(run);
    }
  } finally {
    await target.stop();
  }
}

async function main(): Promise<number> {
  const results: OAuthResults = {
    date: new Date().toISOString(),
    machine: driverMachine(options.source),
    settings: { durationSec, connections: connectionCounts.join(','), sharedToken: args['shared-token'], roundTrips: roundTripCount, concurrency: concurrencies.join(','), warmupSec, repeats, quietWaitSec: options.quietWaitSec, profiled: nodeArgs.length > 0 },
    targets,
    refresh: [],
    roundTrips: [],
    failures: [],
  };
  const stores = new Map<TargetId, TargetStore>();
  for (let attempt = 1; attempt <= repeats && !processes.interrupted; attempt += 1) {
    // Alternate the order so that no target is always measured right after the same other one.
    const order = attempt % 2 === 1 ? targets : [...targets].reverse();
    for (const id of order) {
      if (processes.interrupted) break;
      log(`— ${targetLabels[id]}, run ${attempt}/${repeats} —`);
      try {
        let store = stores.get(id);
        if (store === undefined) {
          store = await createTargetStore(bench, id);
          stores.set(id, store);
        }
        await measureTarget(results, id, store, attempt);
      } catch (error) {
        const message = `${id} run ${attempt}: ${error instanceof Error ? error.message : String(error)}`;
        results.failures.push(message);
        log(`FAILED ${message}`);
      }
    }
  }
  await runCleanups(processes);
  return saveResults(args.out, results, markdown);
}

if (args.report !== undefined) {
  process.exitCode = reportFile(args.report);
} else {
  // Per target and repeat: start-up, warm-up, the refresh runs and the round trips, each possibly taken three times.
  const perTarget = 60 + warmupSec + 3 * (connectionCounts.length + 1) * (durationSec + 15) + 3 * concurrencies.length * (roundTripCount / 100);
  await runMain(processes, Math.ceil((repeats * targets.length * perTarget) / 60 + options.quietWaitSec / 60 + 10), main);
}
