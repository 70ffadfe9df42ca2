/** Throughput: load runs with autocannon (bench/load.ts) and wrk, retried when disturbed, interleaved over all servers. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Bench } from './context.ts';
import { readMemory, sampleCpu, stealPid, systemPid, waitForQuiet } from './cpu-sampling.ts';
import type { LoadOutput, LoadSpec } from './load.ts';
import { disturbedPct, loadPath, maxRetries } from './options.ts';
import { drainLines, exitOf, stopChild, timeout, track } from './processes.ts';
import type { Results } from './report.ts';
import { probe, startServer, type DatabasePids, type RunningServer, type StartOptions } from './server.ts';
import { log, round } from './util.ts';

export type Loader = 'autocannon' | 'wrk';

export interface LoadCase {
  readonly endpoint: 'status' | 'jwks';
  readonly pipelining: number;
}

export const paths: Record<LoadCase['endpoint'], string> = { status: '/api/status', jwks: '/.well-known/jwks.json' };

/** The CPU shares sampled during a measurement, in percent of one core (200 = both cores). */
export interface RunCpu {
  /** The server's processes. */
  readonly serverCpuPct: number | undefined;
  readonly loaderCpuPct: number | undefined;
  /** The PostgreSQL backends serving the benchmark database (PostgreSQL runs only). */
  readonly databaseCpuPct: number | undefined;
  /** Everything else on the machine (this driver included); high values mean the run was disturbed. */
  readonly othersCpuPct: number | undefined;
  /** Percent of a core the hypervisor took away from this VM during the run. */
  readonly stealPct: number | undefined;
  /** Earlier attempts discarded because other processes were busy. */
  readonly retries?: number;
}

export interface LoadRun extends RunCpu {
  readonly durationSec: number;
  readonly requests: number;
  readonly reqPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number | undefined };
  readonly errors: number;
  readonly non2xx: number;
}

/** The log line of a comparing driver's load run (oauth.ts, client-credentials.ts). */
export function loadRunSummary(what: string, run: LoadRun): string {
  return (
    `${what}: ${run.reqPerSec} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, server CPU ${run.serverCpuPct ?? '?'}%` +
    `${run.databaseCpuPct === undefined ? '' : `, PostgreSQL ${run.databaseCpuPct}%`}, loader ${run.loaderCpuPct ?? '?'}%, others ${run.othersCpuPct ?? '?'}%` +
    (run.errors + run.non2xx > 0 ? `, ${run.errors} errors, ${run.non2xx} non-2xx` : '')
  );
}

/** One load case on one server with one loader: the run with the median req/s, plus the spread. */
export interface LoadRow extends LoadRun {
  readonly server: string;
  readonly logLevel: string;
  readonly endpoint: string;
  readonly path: string;
  readonly loader: Loader;
  readonly connections: number;
  readonly pipelining: number;
  readonly reqPerSecMin: number;
  readonly reqPerSecMax: number;
  /** How many of `runs` the median is over: the undisturbed ones, or all when every run was disturbed. */
  readonly runsUsed: number;
  readonly runs: readonly LoadRun[];
}

/** Extra request settings for a load run: method, headers, body or bodies, and a connection count other than the run's. */
export type LoadRequest = Omit<LoadSpec, 'url' | 'pipelining' | 'durationSec' | 'connections'> & { readonly connections?: number };

export async function runAutocannon(
  bench: Bench, url: string, pipelining: number, seconds: number, serverPid: number, databasePids: readonly number[], request: LoadRequest = {},
): Promise<LoadRun> {
  const spec: LoadSpec = { url, connections: bench.options.connections, pipelining, durationSec: seconds, ...request };
  const child = track(bench.processes, spawn(process.execPath, [loadPath, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const sampler = sampleCpu({ server: serverPid, loader: child.pid, database: databasePids, system: systemPid, steal: stealPid });
  let stdout = '';
  const stderr: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  drainLines(child.stderr, stderr);
  const exit = await Promise.race([exitOf(child), timeout((seconds + 60) * 1_000)]);
  const cpu = sampler.stop();
  if (exit === undefined) {
    await stopChild(child, 1_000);
    throw new Error(`autocannon did not finish within ${seconds + 60} s`);
  }
  if (exit.code !== 0) throw new Error(`autocannon exited with ${exit.code}: ${stderr.slice(-10).join('\n')}`);
  const output = JSON.parse(stdout.trim()) as LoadOutput;
  return {
    requests: output.requests,
    durationSec: output.durationSec,
    reqPerSec: round(output.reqPerSec, 0),
    latencyMs: { p50: output.latencyMs.p50, p99: output.latencyMs.p99, mean: output.latencyMs.mean },
    errors: output.errors + output.timeouts,
    non2xx: output.non2xx,
    serverCpuPct: cpu['server'],
    loaderCpuPct: cpu['loader'],
    databaseCpuPct: databasePids.length > 0 ? cpu['database'] : undefined,
    othersCpuPct: others(cpu),
    stealPct: cpu['steal'],
  };
}

export function others(cpu: Record<string, number | undefined>): number | undefined {
  const { system, server, loader, database } = cpu;
  return system === undefined || server === undefined || loader === undefined ? undefined : Math.max(0, system - server - loader - (database ?? 0));
}

async function wrkPipelineScript(bench: Bench, depth: number): Promise<string> {
  bench.wrkScriptDir ??= await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-wrk-'));
  const dir = bench.wrkScriptDir;
  const { cleanups } = bench.processes;
  if (cleanups.every((c) => c.name !== 'removeWrkScripts')) {
    cleanups.push(async function removeWrkScripts() {
      await rm(dir, { recursive: true, force: true });
    });
  }
  const file = join(dir, `pipeline-${depth}.lua`);
  await writeFile(
    file,
    `init = function(args)\n  local r = {}\n  for i = 1, ${depth} do r[i] = wrk.format(nil) end\n  req = table.concat(r)\nend\nrequest = function()\n  return req\nend\n`,
  );
  return file;
}

function wrkDuration(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1_000;
  if (unit === 'ms') return n;
  if (unit === 's') return n * 1_000;
  if (unit === 'm') return n * 60_000;
  return NaN;
}

async function runWrk(bench: Bench, url: string, pipelining: number, seconds: number, serverPid: number, databasePids: readonly number[]): Promise<LoadRun> {
  const { wrkPath, connections } = bench.options;
  if (wrkPath === undefined) throw new Error('wrk is not installed');
  const argv = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency'];
  if (pipelining > 1) argv.push('-s', await wrkPipelineScript(bench, pipelining));
  argv.push(url);
  const child = track(bench.processes, spawn(wrkPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const sampler = sampleCpu({ server: serverPid, loader: child.pid, database: databasePids, system: systemPid, steal: stealPid });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = await Promise.race([exitOf(child), timeout((seconds + 30) * 1_000)]);
  const cpu = sampler.stop();
  if (exit === undefined) {
    await stopChild(child, 1_000);
    throw new Error(`wrk did not finish within ${seconds + 30} s`);
  }
  if (exit.code !== 0) throw new Error(`wrk exited with ${exit.code}: ${stderr}`);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(stdout);
    // wrk occasionally prints 0.00us for a percentile it did not record (seen with pipelining scripts).
    const value = match?.[1] !== undefined && match[2] !== undefined ? round(wrkDuration(match[1], match[2]), 2) : NaN;
    return value > 0 ? value : NaN;
  };
  const mean = /^\s+Latency\s+([\d.]+)(us|ms|s|m)\s/m.exec(stdout);
  const total = /^\s+(\d+) requests in ([\d.]+)(us|ms|s|m)/m.exec(stdout);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  if (total?.[1] === undefined || total[2] === undefined || total[3] === undefined) throw new Error(`could not read wrk's output:\n${stdout}`);
  const durationSecs = wrkDuration(total[2], total[3]) / 1_000;
  const requests = Number(total[1]);
  return {
    requests,
    durationSec: round(durationSecs, 2),
    reqPerSec: round(requests / durationSecs, 0),
    latencyMs: {
      p50: percentile('50'),
      p99: percentile('99'),
      mean: mean?.[1] !== undefined && mean[2] !== undefined ? round(wrkDuration(mean[1], mean[2]), 2) : undefined,
    },
    errors: socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0),
    non2xx: Number(non2xx?.[1] ?? 0),
    serverCpuPct: cpu['server'],
    loaderCpuPct: cpu['loader'],
    databaseCpuPct: databasePids.length > 0 ? cpu['database'] : undefined,
    othersCpuPct: others(cpu),
    stealPct: cpu['steal'],
  };
}

export function isDisturbed(run: LoadRun): boolean {
  return (run.othersCpuPct ?? 0) >= disturbedPct || (run.stealPct ?? 0) >= disturbedPct;
}

type RowIdentity = Pick<LoadRow, 'server' | 'logLevel' | 'endpoint' | 'path' | 'loader' | 'connections' | 'pipelining' | 'runs'>;

/**
 * The row for one case: the median run, over the runs nothing else disturbed when there are any
 * (other processes or hypervisor steal at 25 % of a core or more), over all runs otherwise.
 */
export function aggregate(identity: RowIdentity): LoadRow | undefined {
  const clean = identity.runs.filter((run) => !isDisturbed(run));
  const used = clean.length > 0 ? clean : identity.runs;
  const sorted = [...used].sort((a, b) => a.reqPerSec - b.reqPerSec);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) return undefined;
  const { server, logLevel, endpoint, path, loader, connections, pipelining, runs } = identity;
  return {
    ...middle,
    server,
    logLevel,
    endpoint,
    path,
    loader,
    connections,
    pipelining,
    runs,
    reqPerSecMin: sorted[0]?.reqPerSec ?? NaN,
    reqPerSecMax: sorted[sorted.length - 1]?.reqPerSec ?? NaN,
    runsUsed: used.length,
  };
}

/** A server to load: started together with all the others, measured in turns. */
export interface LoadTarget {
  readonly label: string;
  readonly logLevel: string;
  readonly options: StartOptions;
  readonly cases: readonly LoadCase[];
  readonly databasePids?: DatabasePids;
}

/** One load run, taken again (at most twice, within the quiet-wait budget) when other processes were busy. */
async function measure(bench: Bench, target: LoadTarget, server: RunningServer, loadCase: LoadCase, loader: Loader, what: string): Promise<LoadRun> {
  const url = `${server.baseUrl}${paths[loadCase.endpoint]}`;
  const { durationSec } = bench.options;
  await waitForQuiet(bench, what);
  for (let retry = 0; ; retry += 1) {
    const dbPids = (await target.databasePids?.()) ?? [];
    const run = loader === 'autocannon'
      ? await runAutocannon(bench, url, loadCase.pipelining, durationSec, server.pid, dbPids)
      : await runWrk(bench, url, loadCase.pipelining, durationSec, server.pid, dbPids);
    if (!isDisturbed(run) || retry >= maxRetries || bench.quietBudgetMs <= 0) return { ...run, retries: retry };
    log(`${what}: other processes used ${run.othersCpuPct}% of a core, the hypervisor stole ${run.stealPct}% (${run.reqPerSec} req/s); measuring again`);
    await waitForQuiet(bench, what);
  }
}

/**
 * Starts every target (idle servers cost nothing), warms each up, then runs every case of every target
 * once, and again, `repeats` times: a slower phase of the machine (hypervisor steal, a neighbour's
 * test run) then hits all servers alike instead of whichever happened to be measured at that moment.
 */
export async function loadAll(bench: Bench, targets: readonly LoadTarget[], results: Results): Promise<void> {
  const { wrkPath, connections, warmupSec, repeats } = bench.options;
  const running: Array<{ target: LoadTarget; server: RunningServer }> = [];
  try {
    for (const target of targets) {
      try {
        const server = await startServer(bench.processes, target.options);
        const jwks = await probe(`${server.baseUrl}${paths.jwks}`, 5_000);
        if (jwks?.status !== 200 || !jwks.body.includes('"keys"')) throw new Error(`GET ${paths.jwks} answered ${jwks?.status}`);
        running.push({ target, server });
        log(`started ${target.label} (${target.logLevel}) for load on ${server.baseUrl}`);
      } catch (error) {
        results.failures.push(`load ${target.label} (${target.logLevel}): ${error instanceof Error ? error.message : String(error)}`);
        log(`FAILED to start ${target.label} (${target.logLevel}) for load: ${String(error)}`);
      }
    }
    // Unrecorded warm-up so the JIT has compiled the hot paths before anything is measured.
    for (const { target, server } of running) {
      for (const endpoint of new Set(target.cases.map((c) => c.endpoint))) {
        await runAutocannon(bench, `${server.baseUrl}${paths[endpoint]}`, 1, warmupSec, server.pid, []);
      }
    }

    const loaders: Loader[] = wrkPath === undefined ? ['autocannon'] : ['autocannon', 'wrk'];
    const runs = new Map<string, LoadRun[]>();
    const key = (target: LoadTarget, loadCase: LoadCase, loader: Loader) =>
      `${target.label}|${target.logLevel}|${loadCase.endpoint}|${loadCase.pipelining}|${loader}`;
    for (let attempt = 1; attempt <= repeats && !bench.processes.interrupted; attempt += 1) {
      for (const { target, server } of running) {
        if (server.child.exitCode !== null || server.child.signalCode !== null) continue;
        for (const loadCase of target.cases) {
          for (const loader of loaders) {
            const what = `${target.label} ${paths[loadCase.endpoint]} (${target.logLevel}, p${loadCase.pipelining}, ${loader}, run ${attempt}/${repeats})`;
            const run = await measure(bench, target, server, loadCase, loader, what);
            runs.set(key(target, loadCase, loader), [...(runs.get(key(target, loadCase, loader)) ?? []), run]);
            log(
              `${what}: ${run.reqPerSec} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ` +
                `server CPU ${run.serverCpuPct ?? '?'}%, loader CPU ${run.loaderCpuPct ?? '?'}%` +
                (run.databaseCpuPct === undefined ? '' : `, PostgreSQL ${run.databaseCpuPct}%`) +
                `, others ${run.othersCpuPct ?? '?'}%, steal ${run.stealPct ?? '?'}%` +
                (run.errors + run.non2xx > 0 ? `, ${run.errors} errors, ${run.non2xx} non-2xx` : ''),
            );
            if (server.child.exitCode !== null || server.child.signalCode !== null) {
              results.failures.push(`load ${target.label} (${target.logLevel}): the server died under load`);
              break;
            }
          }
        }
      }
    }

    for (const { target, server } of running) {
      for (const loadCase of target.cases) {
        for (const loader of loaders) {
          const row = aggregate({
            server: target.label,
            logLevel: target.logLevel,
            endpoint: loadCase.endpoint,
            path: paths[loadCase.endpoint],
            loader,
            connections,
            pipelining: loadCase.pipelining,
            runs: runs.get(key(target, loadCase, loader)) ?? [],
          });
          if (row !== undefined) results.load.push(row);
        }
      }
      results.memory.push({ server: target.label, logLevel: target.logLevel, afterLoad: readMemory(server.pid) });
    }
  } finally {
    for (const { target, server } of running) {
      const stopped = await stopChild(server.child);
      if (stopped.code !== 0) log(`${target.label} (${target.logLevel}): stopped with exit code ${stopped.code}${stopped.killed ? ' (killed)' : ''}`);
    }
  }
}
