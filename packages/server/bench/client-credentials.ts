/**
 * Client credentials benchmark (issue 5): JWT issuance req/s with ES256 and with RS256, and introspection
 * req/s, of Gatehouse (PostgreSQL) side by side with oidc-provider 9 configured for the same grant and the
 * same algorithms (bench/oidc-provider-client-credentials-server.ts). See bench/README.md and
 * docs/performance.md ("Client credentials grant").
 *
 *   node packages/server/bench/client-credentials.ts [--duration 10] [--connections 50] [--repeat 3]
 *     [--targets LIST] [--cases LIST] [--cpu-prof-dir DIR] [--statements N] [--report FILE] [--help]
 *
 * Every target is started once, on its own new database, and stays up (an idle server costs nothing);
 * each case then runs on every target in turn, the order alternating between repeats, each run taken
 * again when other work on the machine disturbed it.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { choices, commonFlags, driverOptions, positiveInteger } from './arguments.ts';
import { caseIds, caseLabels, startTarget, targetIds, targetLabels, type CaseId, type StartedTarget, type TargetId } from './client-credentials-targets.ts';
import { createBench } from './context.ts';
import { waitForQuiet } from './cpu-sampling.ts';
import { driverMachine, machineLine, saveResults } from './driver-results.ts';
import { send } from './oauth-client.ts';
import { benchDir, disturbedPct, maxRetries } from './options.ts';
import { createProcesses, runCleanups, runMain } from './processes.ts';
import { aggregate, isDisturbed, loadRunSummary, runAutocannon, type LoadRun } from './throughput.ts';
import { fmt, log } from './util.ts';

const usage = `Usage: node packages/server/bench/client-credentials.ts [options]
  --duration S        seconds per load run (default 10)
  --connections N     concurrent connections of autocannon (default 50)
  --warmup S          seconds of unrecorded load per case and target before the first run (default 3)
  --repeat N          runs of every case on every target, in turns (default 3)
  --targets LIST      of ${targetIds.join(', ')} (default gatehouse-postgres,oidc-provider-postgres)
  --cases LIST        of ${caseIds.join(', ')} (default all)
  --quiet-wait S      total seconds to spend waiting for other processes to go below ${disturbedPct}% of a core (default 600)
  --cpu-prof-dir DIR  run Gatehouse with --cpu-prof; its profile lands in DIR when it stops
  --statements N      measure nothing: send N requests of each case to Gatehouse and print its SQL statements per request
  --postgres-url URL  admin connection that may create databases (default $BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --out FILE          raw JSON results (default bench/results/client-credentials-latest.json)
  --source TEXT       what code is measured, for the report (default: git commit and src/ state)
  --report FILE       measure nothing: print the report of an earlier run's raw JSON`;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    repeat: { type: 'string', default: '3' },
    targets: { type: 'string', default: 'gatehouse-postgres,oidc-provider-postgres' },
    cases: { type: 'string', default: caseIds.join(',') },
    'cpu-prof-dir': { type: 'string' },
    statements: { type: 'string' },
    ...commonFlags(join(benchDir, 'results', 'client-credentials-latest.json')),
  },
});
if (args.help) {
  console.log(usage);
  process.exit(0);
}

interface CaseResult {
  readonly target: TargetId;
  readonly caseId: CaseId;
  readonly runs: LoadRun[];
}

interface Results {
  readonly date: string;
  readonly machine: Record<string, string | number>;
  readonly settings: Record<string, string | number | boolean>;
  readonly targets: TargetId[];
  readonly cases: CaseId[];
  readonly results: CaseResult[];
  readonly failures: string[];
}

function row(results: Results, target: TargetId, caseId: CaseId) {
  const entry = results.results.find((r) => r.target === target && r.caseId === caseId);
  if (entry === undefined || entry.runs.length === 0) return undefined;
  return aggregate({ server: target, logLevel: 'warn', endpoint: caseId, path: caseId, loader: 'autocannon', connections: Number(results.settings['connections']), pipelining: 1, runs: entry.runs });
}

/** The side-by-side table: one line per case and target, Gatehouse's ratio to each reference. */
export function markdown(results: Results): string {
  const lines = [
    machineLine(results.machine, results.date),
    '',
    `${results.settings['connections']} connections, ${results.settings['durationSec']} s per run, ${results.settings['repeats']} runs per case and target (median, min–max over the undisturbed runs).`,
    '',
    '| Case | Server | req/s | min–max | Runs | Gatehouse ÷ this | p50 | p99 | Server CPU | PostgreSQL CPU | Loader CPU | Other CPU | Errors + non-2xx |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const caseId of results.cases) {
    const gatehouse = row(results, 'gatehouse-postgres', caseId);
    for (const target of results.targets) {
      const r = row(results, target, caseId);
      if (r === undefined) continue;
      const ratio = target === 'gatehouse-postgres' || gatehouse === undefined ? '' : `${fmt(gatehouse.reqPerSec / r.reqPerSec, 2)}×`;
      const failed = r.runs.reduce((sum, run) => sum + run.errors + run.non2xx, 0);
      lines.push(
        `| ${caseLabels[caseId]} | ${targetLabels[target]} | ${fmt(r.reqPerSec)} | ${fmt(r.reqPerSecMin)}–${fmt(r.reqPerSecMax)} | ${r.runsUsed}/${r.runs.length} | ${ratio} | ` +
          `${fmt(r.latencyMs.p50)} ms | ${fmt(r.latencyMs.p99)} ms | ${fmt(r.serverCpuPct)}% | ${r.databaseCpuPct === undefined ? '–' : `${fmt(r.databaseCpuPct)}%`} | ${fmt(r.loaderCpuPct)}% | ${fmt(r.othersCpuPct)}% | ${failed} |`,
      );
    }
  }
  if (results.failures.length > 0) lines.push('', 'Failures:', ...results.failures.map((failure) => `- ${failure}`));
  return lines.join('\n');
}

const durationSec = positiveInteger('duration', args.duration);
const connections = positiveInteger('connections', args.connections);
const warmupSec = positiveInteger('warmup', args.warmup);
const repeats = positiveInteger('repeat', args.repeat);
const targets = choices('targets', args.targets, targetIds);
const cases = choices('cases', args.cases, caseIds);
const profile = args['cpu-prof-dir'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof-dir']];

const processes = createProcesses();
const options = driverOptions(args, { durationSec, connections, warmupSec, repeats });
const bench = createBench(options, processes);

/** One autocannon run of a case, taken again (at most twice) when other processes disturbed it. */
async function load(target: StartedTarget, caseId: CaseId, seconds: number, what: string, quiet: boolean): Promise<LoadRun> {
  const request = target.requests[caseId];
  const spec = { connections, method: 'POST' as const, headers: { ...request.headers }, body: request.body };
  const loadBench = quiet ? bench : { ...bench, quietBudgetMs: 0 };
  await waitForQuiet(loadBench, what);
  for (let retry = 0; ; retry += 1) {
    const run = await runAutocannon(loadBench, request.url, 1, seconds, target.server.pid, await target.databasePids(), spec);
    if (!isDisturbed(run) || retry >= maxRetries || loadBench.quietBudgetMs <= 0) return { ...run, retries: retry };
    log(`${what}: other processes used ${run.othersCpuPct}% of a core, the hypervisor stole ${run.stealPct}% (${run.reqPerSec} req/s); measuring again`);
    await waitForQuiet(loadBench, what);
  }
}

async function measure(): Promise<number> {
  const results: Results = {
    date: new Date().toISOString(),
    machine: driverMachine(options.source),
    settings: { durationSec, connections, warmupSec, repeats, quietWaitSec: options.quietWaitSec, profiled: profile.length > 0 },
    targets,
    cases,
    results: [],
    failures: [],
  };
  const started: StartedTarget[] = [];
  try {
    for (const id of targets) started.push(await startTarget(bench, id, id === 'gatehouse-postgres' ? profile : []));
    for (const target of started) {
      for (const caseId of cases) await load(target, caseId, warmupSec, `${target.id} ${caseId} warm-up`, false);
    }
    for (let attempt = 1; attempt <= repeats && !processes.interrupted; attempt += 1) {
      for (const caseId of cases) {
        // Alternate the order so that no target always runs right after the same other one.
        const order = attempt % 2 === 1 ? started : [...started].reverse();
        for (const target of order) {
          if (processes.interrupted) break;
          const what = `${target.id} ${caseId} (run ${attempt}/${repeats})`;
          try {
            const run = await load(target, caseId, durationSec, what, true);
            log(loadRunSummary(what, run));
            const entry = results.results.find((r) => r.target === target.id && r.caseId === caseId);
            if (entry === undefined) results.results.push({ target: target.id, caseId, runs: [run] });
            else entry.runs.push(run);
          } catch (error) {
            const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
            results.failures.push(message);
            log(`FAILED ${message}`);
          }
        }
      }
    }
  } catch (error) {
    results.failures.push(error instanceof Error ? error.message : String(error));
    log(`FAILED ${String(error)}`);
  } finally {
    for (const target of started) await target.stop();
    await runCleanups(processes);
  }
  return saveResults(args.out, results, markdown);
}

/** Gatehouse's SQL statements per request of each case (bench/pg-statement-counter.ts preloaded). */
async function countStatements(requests: number): Promise<number> {
  const target = await startTarget(bench, 'gatehouse-postgres', ['--import', join(benchDir, 'pg-statement-counter.ts')]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const counted = async (): Promise<Array<[string, number]>> => {
    const before = target.server.stderrTail.length;
    target.server.child.kill('SIGUSR2');
    for (let i = 0; i < 50; i += 1) {
      await sleep(20);
      const line = target.server.stderrTail.findLast((l) => l.startsWith('PG_STATEMENTS '));
      if (line !== undefined && target.server.stderrTail.length > before) return JSON.parse(line.slice('PG_STATEMENTS '.length)) as Array<[string, number]>;
    }
    throw new Error('the server did not report its statement counts');
  };
  try {
    for (const caseId of cases) {
      const request = target.requests[caseId];
      await counted();
      for (let i = 0; i < requests; i += 1) {
        const answer = await send(agent, 'POST', request.url, { ...request.headers }, request.body);
        if (answer.status !== 200) throw new Error(`${caseId}: ${answer.status} ${answer.body}`);
      }
      const counts = await counted();
      const total = counts.reduce((sum, [, count]) => sum + count, 0);
      console.log(`\n${caseLabels[caseId]}: ${(total / requests).toFixed(2)} statements per request\n`);
      console.log('| per request | statement |\n| ---: | --- |');
      for (const [text, count] of counts) console.log(`| ${(count / requests).toFixed(2)} | \`${text.replace(/\s+/g, ' ').slice(0, 200)}\` |`);
    }
    return 0;
  } finally {
    agent.destroy();
    await target.stop();
    await runCleanups(processes);
  }
}

if (args.report !== undefined) {
  console.log(markdown(JSON.parse(readFileSync(args.report, 'utf8')) as Results));
} else {
  const perRun = durationSec + 20;
  const statements = args.statements === undefined ? undefined : positiveInteger('statements', args.statements);
  const watchdogMinutes = Math.ceil((targets.length * cases.length * ((repeats * 3 + 1) * perRun + warmupSec)) / 60 + options.quietWaitSec / 60 + 10);
  await runMain(processes, watchdogMinutes, () => (statements === undefined ? measure() : countStatements(statements)));
}
