/**
 * Platform benchmark: start-up time, idle memory and HTTP throughput of `gatehouse start` on the embedded
 * (PGlite) store and on PostgreSQL, plus bare-Fastify reference servers. See bench/README.md.
 *
 *   node packages/server/bench/run.ts [--duration 10] [--connections 50] [--warm-runs 5] [--skip postgres,wrk,baseline,info]
 *
 * Every server and load generator is a child process of this one; all are stopped (SIGTERM, then SIGKILL)
 * before it exits, the temporary data dirs are removed and the benchmark database is dropped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { LoadOutput, LoadSpec } from './load.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const serverDir = dirname(benchDir);
const cliPath = join(serverDir, 'src', 'cli.ts');
const loadPath = join(benchDir, 'load.ts');
const baselinePath = join(benchDir, 'baseline-server.ts');

// ---------------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'warm-runs': { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    idle: { type: 'string', default: '3000' },
    skip: { type: 'string', default: '' },
    'postgres-url': { type: 'string', default: process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    out: { type: 'string', default: join(benchDir, 'results', 'latest.json') },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`Usage: node packages/server/bench/run.ts [options]
  --duration S        seconds per load run (default 10)
  --connections N     concurrent connections per load run (default 50)
  --warm-runs N       warm restarts per backend (default 5)
  --warmup S          seconds of unrecorded load before each server's runs (default 3)
  --idle MS           idle time before reading RSS (default 3000)
  --skip LIST         comma-separated: postgres, wrk, baseline, info, load
  --postgres-url URL  admin connection used to create/drop the benchmark database
                      (default $BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --out FILE          raw JSON results (default bench/results/latest.json)`);
  process.exit(0);
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`bench: --${name} must be a positive number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const durationSec = positive('duration', args.duration);
const connections = Math.round(positive('connections', args.connections));
const warmRuns = Math.round(positive('warm-runs', args['warm-runs']));
const warmupSec = positive('warmup', args.warmup);
const idleMs = positive('idle', args.idle);
const skip = new Set(args.skip.split(',').map((s) => s.trim()).filter((s) => s !== ''));
const wrkPath = skip.has('wrk') ? undefined : findOnPath('wrk');

function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Child processes: every one is tracked and killed on any way out.

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
  return child;
}

function killAllChildren(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function runCleanups(): Promise<void> {
  killAllChildren();
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    if (cleanup === undefined) break;
    await Promise.race([cleanup().catch((error: unknown) => console.error(`bench: cleanup failed: ${String(error)}`)), sleep(10_000)]);
  }
}

process.on('exit', killAllChildren);
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\nbench: ${signal}: stopping children and cleaning up`);
    void runCleanups().finally(() => process.exit(130));
  });
}
// Last resort: nothing here should take this long (a full run is ~7 minutes).
const watchdog = setTimeout(() => {
  console.error('bench: watchdog: still running after 40 minutes; giving up');
  void runCleanups().finally(() => process.exit(1));
}, 40 * 60_000);
watchdog.unref();

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves with how it ended and how long stopping took. */
async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<Exit & { stopMs: number; killed: boolean }> {
  const startedAt = performance.now();
  const exit = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null) return { ...(await exit), stopMs: 0, killed: false };
  child.kill('SIGTERM');
  const graceful = await Promise.race([exit, sleep(graceMs).then(() => undefined)]);
  if (graceful !== undefined) return { ...graceful, stopMs: performance.now() - startedAt, killed: false };
  child.kill('SIGKILL');
  const forced = await Promise.race([exit, sleep(5_000).then(() => ({ code: null, signal: null }))]);
  return { ...forced, stopMs: performance.now() - startedAt, killed: true };
}

/** Keeps the last lines of a stream (and calls `onLine` for each) so the pipe never fills up. */
function drainLines(stream: NodeJS.ReadableStream | null, keep: string[], onLine?: (line: string) => void): void {
  if (stream === null) return;
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      onLine?.(line);
      keep.push(line);
      if (keep.length > 40) keep.shift();
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// /proc readings

const clockTicks = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
})();

interface Memory {
  readonly rssMb: number;
  readonly hwmMb: number;
}

function readMemory(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: round(kb('VmRSS') / 1024, 1), hwmMb: round(kb('VmHWM') / 1024, 1) };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of a process (all its threads). */
function readCpuSec(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/**
 * Samples the CPU time of some processes every 500 ms; `stop()` gives each one's CPU use in percent of
 * one core between its first and last sample after the first second (ramp-up left out).
 */
function sampleCpu(pids: Record<string, number | undefined>): { stop(): Record<string, number | undefined> } {
  const samples: Record<string, Array<{ at: number; cpu: number }>> = {};
  const startedAt = performance.now();
  const take = () => {
    const at = performance.now();
    if (at - startedAt < 1_000) return;
    for (const [name, pid] of Object.entries(pids)) {
      if (pid === undefined) continue;
      const cpu = readCpuSec(pid);
      if (cpu !== undefined) (samples[name] ??= []).push({ at, cpu });
    }
  };
  const timer = setInterval(take, 500);
  return {
    stop() {
      clearInterval(timer);
      const result: Record<string, number | undefined> = {};
      for (const name of Object.keys(pids)) {
        const list = samples[name] ?? [];
        const first = list[0];
        const last = list[list.length - 1];
        result[name] = first !== undefined && last !== undefined && last.at - first.at > 1_000
          ? round(((last.cpu - first.cpu) / ((last.at - first.at) / 1_000)) * 100, 0)
          : undefined;
      }
      return result;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? NaN) + upper) / 2;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One GET on a fresh connection; the status code, or undefined when nothing answered. */
function probe(url: string, timeoutMs: number): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(undefined));
  });
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The parent's environment without any Gatehouse configuration, plus `extra`. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('GATEHOUSE_') || name === 'DATABASE_URL') continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

// ---------------------------------------------------------------------------------------------------
// Servers

interface RunningServer {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly baseUrl: string;
  /** Wall-clock from spawn until GET /api/status answered 200. */
  readonly readyMs: number;
  /** The `startupMs` of the "Gatehouse is listening" line (measured inside the process), if logged. */
  readonly loggedStartupMs: number | undefined;
  readonly stdoutTail: string[];
  readonly stderrTail: string[];
}

interface StartOptions {
  /** `gatehouse` runs `src/cli.ts start`; a baseline variant runs bench/baseline-server.ts. */
  readonly kind: 'gatehouse' | 'bare' | 'helmet';
  readonly env?: Record<string, string>;
  /** Send stdout to /dev/null instead of reading it (the logging-cost run). */
  readonly stdoutToDevNull?: boolean;
  readonly readyTimeoutMs?: number;
}

async function startServer(options: StartOptions): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const argv = options.kind === 'gatehouse' ? [cliPath, 'start'] : [baselinePath, options.kind];
  const env = serverEnv({
    ...options.env,
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_HOST: '127.0.0.1',
    BENCH_PORT: String(port),
  });
  const devNull = options.stdoutToDevNull === true ? openSync('/dev/null', 'w') : undefined;
  const stdoutTail: string[] = [];
  const stderrTail: string[] = [];
  let loggedStartupMs: number | undefined;

  const startedAt = performance.now();
  const child = track(spawn(process.execPath, argv, { env, stdio: ['ignore', devNull ?? 'pipe', 'pipe'] }));
  if (devNull !== undefined) closeSync(devNull);
  drainLines(child.stdout, stdoutTail, (line) => {
    if (!line.includes('Gatehouse is listening')) return;
    try {
      const entry = JSON.parse(line) as { startupMs?: unknown };
      if (typeof entry.startupMs === 'number') loggedStartupMs = entry.startupMs;
    } catch {
      // not JSON: ignore
    }
  });
  drainLines(child.stderr, stderrTail);
  const exited = exitOf(child);
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const deadline = startedAt + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (hasExited) {
      const exit = await exited;
      throw new Error(
        `server exited (code ${exit.code}, signal ${exit.signal}) before answering /api/status:\n` +
          [...stdoutTail, ...stderrTail].slice(-15).join('\n'),
      );
    }
    const answer = await probe(`${baseUrl}/api/status`, 1_000);
    if (answer?.status === 200) break;
    if (performance.now() > deadline) {
      await stopChild(child);
      throw new Error(`server did not answer /api/status with 200 within ${options.readyTimeoutMs ?? 120_000} ms`);
    }
    await sleep(20);
  }
  const readyMs = performance.now() - startedAt;

  // The "listening" line is written just before the first 200 can happen; give the pipe a moment.
  if (options.kind === 'gatehouse' && devNull === undefined) {
    for (let i = 0; i < 50 && loggedStartupMs === undefined; i += 1) await sleep(10);
  }
  if (child.pid === undefined) throw new Error('server has no pid');
  return { child, pid: child.pid, baseUrl, readyMs: round(readyMs, 0), loggedStartupMs, stdoutTail, stderrTail };
}

interface StartupSample {
  readonly readyMs: number;
  readonly loggedStartupMs: number | undefined;
  readonly idle: Memory | undefined;
  readonly stopMs: number;
  readonly exitCode: number | null;
  readonly cleanStop: boolean;
}

/** Start, wait for 200, idle, read memory, SIGTERM and wait for the exit. */
async function startupSample(label: string, env: Record<string, string>): Promise<StartupSample> {
  const server = await startServer({ kind: 'gatehouse', env });
  await sleep(idleMs);
  const idle = readMemory(server.pid);
  const stopped = await stopChild(server.child);
  const sample: StartupSample = {
    readyMs: server.readyMs,
    loggedStartupMs: server.loggedStartupMs,
    idle,
    stopMs: round(stopped.stopMs, 0),
    exitCode: stopped.code,
    cleanStop: stopped.code === 0 && !stopped.killed,
  };
  log(`${label}: ready in ${sample.readyMs} ms (logged startupMs ${sample.loggedStartupMs ?? '-'}), idle RSS ${idle?.rssMb ?? '?'} MB, stopped in ${sample.stopMs} ms with exit code ${stopped.code}`);
  if (!sample.cleanStop) {
    throw new Error(`${label}: SIGTERM did not stop the server cleanly (exit code ${stopped.code}, signal ${stopped.signal}, killed ${stopped.killed})`);
  }
  return sample;
}

interface StartupSummary {
  readonly runs: number;
  readonly readyMs: { readonly median: number; readonly min: number; readonly max: number };
  readonly loggedStartupMs: { readonly median: number; readonly min: number; readonly max: number } | undefined;
  readonly idleRssMb: number | undefined;
  readonly stopMs: number;
  readonly samples: readonly StartupSample[];
}

function summarize(samples: readonly StartupSample[]): StartupSummary {
  const spread = (values: readonly number[]) => ({ median: round(median(values), 0), min: Math.min(...values), max: Math.max(...values) });
  const logged = samples.map((s) => s.loggedStartupMs).filter((v): v is number => v !== undefined);
  const rss = samples.map((s) => s.idle?.rssMb).filter((v): v is number => v !== undefined);
  return {
    runs: samples.length,
    readyMs: spread(samples.map((s) => s.readyMs)),
    loggedStartupMs: logged.length > 0 ? spread(logged) : undefined,
    idleRssMb: rss.length > 0 ? round(median(rss), 1) : undefined,
    stopMs: round(median(samples.map((s) => s.stopMs)), 0),
    samples,
  };
}

// ---------------------------------------------------------------------------------------------------
// Load

type Loader = 'autocannon' | 'wrk';

interface LoadCase {
  readonly endpoint: 'status' | 'jwks';
  readonly pipelining: number;
}

const paths: Record<LoadCase['endpoint'], string> = { status: '/api/status', jwks: '/.well-known/jwks.json' };

interface LoadRow {
  readonly server: string;
  readonly logLevel: string;
  readonly endpoint: string;
  readonly path: string;
  readonly loader: Loader;
  readonly connections: number;
  readonly pipelining: number;
  readonly durationSec: number;
  readonly requests: number;
  readonly reqPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number | undefined };
  readonly errors: number;
  readonly non2xx: number;
  /** Percent of one core, sampled during the run (200 = both cores). */
  readonly serverCpuPct: number | undefined;
  readonly loaderCpuPct: number | undefined;
}

async function runAutocannon(url: string, pipelining: number, seconds: number, serverPid: number) {
  const spec: LoadSpec = { url, connections, pipelining, durationSec: seconds };
  const child = track(spawn(process.execPath, [loadPath, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const sampler = sampleCpu({ server: serverPid, loader: child.pid });
  let stdout = '';
  const stderr: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  drainLines(child.stderr, stderr);
  const exit = await Promise.race([exitOf(child), sleep((seconds + 60) * 1_000).then(() => undefined)]);
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
    reqPerSec: output.reqPerSec,
    latencyMs: { p50: output.latencyMs.p50, p99: output.latencyMs.p99, mean: output.latencyMs.mean },
    errors: output.errors + output.timeouts,
    non2xx: output.non2xx,
    serverCpuPct: cpu['server'],
    loaderCpuPct: cpu['loader'],
  };
}

let wrkScriptDir: string | undefined;

async function wrkPipelineScript(depth: number): Promise<string> {
  wrkScriptDir ??= await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-wrk-'));
  const dir = wrkScriptDir;
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

async function runWrk(url: string, pipelining: number, seconds: number, serverPid: number) {
  if (wrkPath === undefined) throw new Error('wrk is not installed');
  const argv = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency'];
  if (pipelining > 1) argv.push('-s', await wrkPipelineScript(pipelining));
  argv.push(url);
  const child = track(spawn(wrkPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const sampler = sampleCpu({ server: serverPid, loader: child.pid });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = await Promise.race([exitOf(child), sleep((seconds + 30) * 1_000).then(() => undefined)]);
  const cpu = sampler.stop();
  if (exit === undefined) {
    await stopChild(child, 1_000);
    throw new Error(`wrk did not finish within ${seconds + 30} s`);
  }
  if (exit.code !== 0) throw new Error(`wrk exited with ${exit.code}: ${stderr}`);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(stdout);
    return match?.[1] !== undefined && match[2] !== undefined ? round(wrkDuration(match[1], match[2]), 2) : NaN;
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
    reqPerSec: requests / durationSecs,
    latencyMs: {
      p50: percentile('50'),
      p99: percentile('99'),
      mean: mean?.[1] !== undefined && mean[2] !== undefined ? round(wrkDuration(mean[1], mean[2]), 2) : undefined,
    },
    errors: socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0),
    non2xx: Number(non2xx?.[1] ?? 0),
    serverCpuPct: cpu['server'],
    loaderCpuPct: cpu['loader'],
  };
}

async function loadServer(server: RunningServer, label: string, logLevel: string, cases: readonly LoadCase[]): Promise<LoadRow[]> {
  const jwks = await probe(`${server.baseUrl}${paths.jwks}`, 5_000);
  if (jwks?.status !== 200 || !jwks.body.includes('"keys"')) throw new Error(`${label}: GET ${paths.jwks} answered ${jwks?.status}`);
  // Unrecorded warm-up so the JIT has compiled the hot paths before anything is measured.
  const endpoints = [...new Set(cases.map((c) => c.endpoint))];
  for (const endpoint of endpoints) await runAutocannon(`${server.baseUrl}${paths[endpoint]}`, 1, warmupSec, server.pid);

  const loaders: Loader[] = wrkPath === undefined ? ['autocannon'] : ['autocannon', 'wrk'];
  const rows: LoadRow[] = [];
  for (const loadCase of cases) {
    for (const loader of loaders) {
      const url = `${server.baseUrl}${paths[loadCase.endpoint]}`;
      const result = loader === 'autocannon'
        ? await runAutocannon(url, loadCase.pipelining, durationSec, server.pid)
        : await runWrk(url, loadCase.pipelining, durationSec, server.pid);
      const row: LoadRow = {
        server: label,
        logLevel,
        endpoint: loadCase.endpoint,
        path: paths[loadCase.endpoint],
        loader,
        connections,
        pipelining: loadCase.pipelining,
        ...result,
        reqPerSec: round(result.reqPerSec, 0),
      };
      rows.push(row);
      log(
        `${label} ${row.path} (${logLevel}, p${row.pipelining}, ${loader}): ${row.reqPerSec} req/s, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, ` +
          `server CPU ${row.serverCpuPct ?? '?'}%, loader CPU ${row.loaderCpuPct ?? '?'}%` +
          (row.errors + row.non2xx > 0 ? `, ${row.errors} errors, ${row.non2xx} non-2xx` : ''),
      );
      if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`${label}: the server died under load`);
    }
  }
  return rows;
}

const gatehouseCases: readonly LoadCase[] = [
  { endpoint: 'status', pipelining: 1 },
  { endpoint: 'jwks', pipelining: 1 },
  { endpoint: 'jwks', pipelining: 10 },
];
const loggingCases: readonly LoadCase[] = [{ endpoint: 'jwks', pipelining: 1 }];

interface ServerMemory {
  readonly server: string;
  readonly logLevel: string;
  readonly afterLoad: Memory | undefined;
}

/** Starts a server, loads it with `cases`, records its memory afterwards and stops it. */
async function loadPhase(
  label: string,
  logLevel: string,
  options: StartOptions,
  cases: readonly LoadCase[],
  into: { load: LoadRow[]; memory: ServerMemory[] },
): Promise<void> {
  const server = await startServer(options);
  try {
    into.load.push(...(await loadServer(server, label, logLevel, cases)));
    into.memory.push({ server: label, logLevel, afterLoad: readMemory(server.pid) });
  } finally {
    const stopped = await stopChild(server.child);
    if (stopped.code !== 0) log(`${label}: stopped with exit code ${stopped.code}${stopped.killed ? ' (killed)' : ''}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Backends

interface BackendResult {
  first?: StartupSummary;
  warm?: StartupSummary;
}

interface Results {
  readonly date: string;
  readonly machine: Record<string, string | number>;
  readonly settings: Record<string, string | number | boolean>;
  readonly startup: { embedded: BackendResult; postgres: BackendResult };
  readonly load: LoadRow[];
  readonly memory: ServerMemory[];
  readonly failures: string[];
}

async function warmRestarts(label: string, env: Record<string, string>): Promise<StartupSummary> {
  const samples: StartupSample[] = [];
  for (let i = 1; i <= warmRuns; i += 1) samples.push(await startupSample(`${label} ${i}/${warmRuns}`, env));
  return summarize(samples);
}

async function embedded(results: Results): Promise<void> {
  const dir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-'));
  cleanups.push(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = { GATEHOUSE_DATA_DIR: join(dir, 'data'), GATEHOUSE_LOG_LEVEL: 'info' };
  results.startup.embedded.first = summarize([await startupSample('embedded cold start', env)]);
  results.startup.embedded.warm = await warmRestarts('embedded warm restart', env);
  if (skip.has('load')) return;
  await loadPhase('embedded', 'warn', { kind: 'gatehouse', env: { ...env, GATEHOUSE_LOG_LEVEL: 'warn' } }, gatehouseCases, results);
  if (!skip.has('info')) {
    await loadPhase('embedded', 'info', { kind: 'gatehouse', env: { ...env, GATEHOUSE_LOG_LEVEL: 'info' }, stdoutToDevNull: true }, loggingCases, results);
  }
}

async function postgres(results: Results): Promise<void> {
  const adminUrl = args['postgres-url'];
  const database = `gatehouse_bench_${process.pid}_${Date.now()}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${database}`);
  cleanups.push(async () => {
    await admin(`drop database if exists ${database} with (force)`);
    log(`dropped database ${database}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;

  const keyResult = spawnSync(process.execPath, [cliPath, 'generate-master-key'], { encoding: 'utf8', timeout: 30_000 });
  const masterKey = keyResult.stdout.trim();
  if (keyResult.status !== 0 || masterKey === '') throw new Error(`generate-master-key failed: ${keyResult.stderr}`);

  const dir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-pg-'));
  cleanups.push(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const env = {
    DATABASE_URL: url.toString(),
    GATEHOUSE_MASTER_KEY: masterKey,
    GATEHOUSE_DATA_DIR: join(dir, 'data'),
    GATEHOUSE_LOG_LEVEL: 'info',
  };
  results.startup.postgres.first = summarize([await startupSample('postgres first start', env)]);
  results.startup.postgres.warm = await warmRestarts('postgres warm restart', env);
  if (skip.has('load')) return;
  await loadPhase('postgres', 'warn', { kind: 'gatehouse', env: { ...env, GATEHOUSE_LOG_LEVEL: 'warn' } }, gatehouseCases, results);
  if (!skip.has('info')) {
    await loadPhase('postgres', 'info', { kind: 'gatehouse', env: { ...env, GATEHOUSE_LOG_LEVEL: 'info' }, stdoutToDevNull: true }, loggingCases, results);
  }
}

async function baselines(results: Results): Promise<void> {
  await loadPhase('bare Fastify', '-', { kind: 'bare' }, [{ endpoint: 'jwks', pipelining: 1 }, { endpoint: 'jwks', pipelining: 10 }], results);
  await loadPhase('Fastify + helmet', '-', { kind: 'helmet' }, [{ endpoint: 'jwks', pipelining: 1 }], results);
}

// ---------------------------------------------------------------------------------------------------
// Report

function gitCommit(): string {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: serverDir, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

function wrkVersion(): string {
  if (wrkPath === undefined) return 'not used';
  const result = spawnSync(wrkPath, ['-v'], { encoding: 'utf8' });
  return /wrk\s+([^\s]+)/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown';
}

function autocannonVersion(): string {
  try {
    const file = join(serverDir, '..', '..', 'node_modules', 'autocannon', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function startupRow(label: string, summary: StartupSummary | undefined): string {
  if (summary === undefined) return `| ${label} | not measured | | | |`;
  const spread = summary.runs > 1 ? ` (${fmt(summary.readyMs.min)}–${fmt(summary.readyMs.max)})` : '';
  const logged = summary.loggedStartupMs === undefined ? '–' : `${fmt(summary.loggedStartupMs.median)} ms`;
  return `| ${label} | ${fmt(summary.readyMs.median)} ms${spread} | ${logged} | ${fmt(summary.idleRssMb)} MB | ${fmt(summary.stopMs)} ms |`;
}

function markdown(results: Results): string {
  const lines: string[] = [];
  const m = results.machine;
  lines.push(`Machine: ${m['cpus']} × ${m['cpuModel']}, ${m['memoryGb']} GiB, Linux ${m['kernel']}, Node ${m['node']}; commit ${m['commit']}; ${results.date}`);
  lines.push('');
  lines.push('### Start-up and idle memory');
  lines.push('');
  lines.push('| Scenario | Spawn → first 200 on /api/status | startupMs logged by the server | Idle RSS (after 3 s) | SIGTERM → exit |');
  lines.push('| --- | ---: | ---: | ---: | ---: |');
  lines.push(startupRow('Embedded (PGlite), cold: new data dir', results.startup.embedded.first));
  lines.push(startupRow(`Embedded, warm restart (median of ${results.startup.embedded.warm?.runs ?? 0}, min–max)`, results.startup.embedded.warm));
  lines.push(startupRow('PostgreSQL, first start: empty database', results.startup.postgres.first));
  lines.push(startupRow(`PostgreSQL, warm restart (median of ${results.startup.postgres.warm?.runs ?? 0}, min–max)`, results.startup.postgres.warm));
  lines.push('');
  if (results.load.length > 0) {
    lines.push(`### Throughput (${connections} connections, ${durationSec} s per run)`);
    lines.push('');
    lines.push('| Server | Path | Log level | Pipelining | Loader | req/s | p50 | p99 | Server CPU | Loader CPU | Errors |');
    lines.push('| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of results.load) {
      const digits = row.loader === 'wrk' ? 2 : 0;
      lines.push(
        `| ${row.server} | ${row.path} | ${row.logLevel} | ${row.pipelining} | ${row.loader} | ${fmt(row.reqPerSec)} | ${fmt(row.latencyMs.p50, digits)} ms | ` +
          `${fmt(row.latencyMs.p99, digits)} ms | ${fmt(row.serverCpuPct)}% | ${fmt(row.loaderCpuPct)}% | ${row.errors + row.non2xx} |`,
      );
    }
    lines.push('');
    lines.push('CPU is percent of one core (200% = both cores), sampled during the run. autocannon latencies have whole-millisecond resolution.');
    lines.push('');
  }
  if (results.memory.length > 0) {
    lines.push('| Server after its load runs | Log level | RSS | Peak RSS (VmHWM) |');
    lines.push('| --- | --- | ---: | ---: |');
    for (const entry of results.memory) {
      lines.push(`| ${entry.server} | ${entry.logLevel} | ${fmt(entry.afterLoad?.rssMb)} MB | ${fmt(entry.afterLoad?.hwmMb)} MB |`);
    }
    lines.push('');
  }
  lines.push('### Targets');
  lines.push('');
  const warm = results.startup.embedded.warm;
  if (warm !== undefined) {
    lines.push(`- Restart on an existing embedded store < 1,500 ms: median ${fmt(warm.readyMs.median)} ms, worst ${fmt(warm.readyMs.max)} ms → ${warm.readyMs.median < 1_500 ? (warm.readyMs.max < 1_500 ? 'met' : 'met by the median, not by every run') : 'MISSED'}`);
  }
  for (const server of ['embedded', 'postgres']) {
    const jwksRows = results.load.filter((r) => r.server === server && r.endpoint === 'jwks' && r.pipelining === 1 && r.logLevel === 'warn');
    if (jwksRows.length === 0) continue;
    const best = Math.max(...jwksRows.map((r) => r.reqPerSec));
    lines.push(
      `- JWKS ≥ 20,000 req/s (${server}, pipelining 1, log level warn): ${jwksRows.map((r) => `${r.loader} ${fmt(r.reqPerSec)}`).join(', ')} → ${best >= 20_000 ? 'met' : 'MISSED'}`,
    );
  }
  if (results.failures.length > 0) {
    lines.push('');
    lines.push('### Failures');
    lines.push('');
    for (const failure of results.failures) lines.push(`- ${failure.split('\n')[0]}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const results: Results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
      node: process.version,
      commit: gitCommit(),
      autocannon: autocannonVersion(),
      wrk: wrkVersion(),
    },
    settings: {
      durationSec,
      connections,
      warmRuns,
      warmupSec,
      idleMs,
      pollIntervalMs: 20,
      loadGenerator: 'autocannon in its own child process (bench/load.ts); wrk -t1 when installed',
      skipped: [...skip].join(',') || 'none',
    },
    startup: { embedded: {}, postgres: {} },
    load: [],
    memory: [],
    failures: [],
  };

  const sections: Array<[string, (r: Results) => Promise<void>]> = [['embedded', embedded]];
  if (!skip.has('postgres')) sections.push(['postgres', postgres]);
  if (!skip.has('baseline') && !skip.has('load')) sections.push(['baseline', baselines]);

  for (const [name, section] of sections) {
    if (interrupted) break;
    log(`— ${name} —`);
    try {
      await section(results);
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      results.failures.push(message);
      log(`FAILED ${message}`);
    }
    killAllChildren();
  }
  await runCleanups();

  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(markdown(results));
  log(`raw results written to ${args.out}`);
  return results.failures.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error);
  await runCleanups();
  process.exitCode = 1;
}
