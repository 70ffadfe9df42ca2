/** Start-up time and idle memory: one sample (taken again when disturbed), warm restarts, and their summary. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bench } from './context.ts';
import { readCpuSec, readMemory, readSystemBusySec, waitForQuiet, type Memory } from './cpu-sampling.ts';
import { disturbedPct, maxRetries } from './options.ts';
import { stopChild } from './processes.ts';
import { startServer, type DatabasePids } from './server.ts';
import { log, median, round } from './util.ts';

export interface StartupSample {
  readonly readyMs: number;
  readonly loggedStartupMs: number | undefined;
  readonly idle: Memory | undefined;
  readonly stopMs: number;
  readonly exitCode: number | null;
  readonly cleanStop: boolean;
  /** CPU seconds the server used from spawn to ready (all threads). */
  readonly serverCpuSec: number | undefined;
  /** Percent of a core used by other processes (not the server, not this driver) while it started. */
  readonly othersCpuPct: number | undefined;
  /** Earlier attempts discarded because other processes were busy. */
  readonly retries?: number;
}

/** Start, wait for 200, idle, read memory, SIGTERM and wait for the exit. */
/**
 * One start-up measurement; taken again (at most twice, while the quiet-wait budget lasts) when other
 * processes were busy during it. `reset` puts the store back first (a first start needs an empty one).
 */
export async function startupSample(
  bench: Bench,
  label: string,
  env: Record<string, string>,
  options: { reset?: () => Promise<void>; databasePids?: DatabasePids } = {},
): Promise<StartupSample> {
  for (let retry = 0; ; retry += 1) {
    const sample = await startupSampleOnce(bench, label, env, options.databasePids);
    if ((sample.othersCpuPct ?? 0) < disturbedPct || retry >= maxRetries || bench.quietBudgetMs <= 0) return { ...sample, retries: retry };
    log(`${label}: other processes used ${sample.othersCpuPct}% of a core meanwhile; measuring again`);
    await options.reset?.();
  }
}

async function startupSampleOnce(bench: Bench, label: string, env: Record<string, string>, databasePids: DatabasePids | undefined): Promise<StartupSample> {
  await waitForQuiet(bench, label);
  const systemBefore = readSystemBusySec();
  const selfBefore = process.cpuUsage();
  const server = await startServer(bench.processes, { kind: 'gatehouse', env });
  const systemAfter = readSystemBusySec();
  const self = process.cpuUsage(selfBefore);
  const serverCpuSec = readCpuSec(server.pid);
  // The database backends serving this server were started by it: their CPU is part of its start-up.
  const databaseCpuSec = ((await databasePids?.()) ?? []).reduce((sum, pid) => sum + (readCpuSec(pid) ?? 0), 0);
  const othersCpuPct = systemBefore === undefined || systemAfter === undefined || serverCpuSec === undefined
    ? undefined
    : Math.max(0, round(((systemAfter - systemBefore - serverCpuSec - databaseCpuSec - (self.user + self.system) / 1e6) / (server.readyMs / 1_000)) * 100, 0));
  await sleep(bench.options.idleMs);
  const idle = readMemory(server.pid);
  const stopped = await stopChild(server.child);
  const sample: StartupSample = {
    readyMs: server.readyMs,
    loggedStartupMs: server.loggedStartupMs,
    idle,
    stopMs: round(stopped.stopMs, 0),
    exitCode: stopped.code,
    cleanStop: stopped.code === 0 && !stopped.killed,
    serverCpuSec: serverCpuSec === undefined ? undefined : round(serverCpuSec, 2),
    othersCpuPct,
  };
  log(`${label}: ready in ${sample.readyMs} ms (logged startupMs ${sample.loggedStartupMs ?? '-'}, server CPU ${sample.serverCpuSec ?? '?'} s, others ${othersCpuPct ?? '?'}%), idle RSS ${idle?.rssMb ?? '?'} MB, stopped in ${sample.stopMs} ms with exit code ${stopped.code}`);
  if (!sample.cleanStop) {
    throw new Error(`${label}: SIGTERM did not stop the server cleanly (exit code ${stopped.code}, signal ${stopped.signal}, killed ${stopped.killed})`);
  }
  return sample;
}

export interface StartupSummary {
  readonly runs: number;
  readonly readyMs: { readonly median: number; readonly min: number; readonly max: number };
  readonly loggedStartupMs: { readonly median: number; readonly min: number; readonly max: number } | undefined;
  readonly idleRssMb: number | undefined;
  readonly stopMs: number;
  /** The most other processes used (percent of a core) during any of the starts. */
  readonly othersCpuPctMax: number | undefined;
  readonly samples: readonly StartupSample[];
}

export function summarize(samples: readonly StartupSample[]): StartupSummary {
  const spread = (values: readonly number[]) => ({ median: round(median(values), 0), min: Math.min(...values), max: Math.max(...values) });
  const logged = samples.map((s) => s.loggedStartupMs).filter((v): v is number => v !== undefined);
  const rss = samples.map((s) => s.idle?.rssMb).filter((v): v is number => v !== undefined);
  return {
    runs: samples.length,
    readyMs: spread(samples.map((s) => s.readyMs)),
    loggedStartupMs: logged.length > 0 ? spread(logged) : undefined,
    idleRssMb: rss.length > 0 ? round(median(rss), 1) : undefined,
    stopMs: round(median(samples.map((s) => s.stopMs)), 0),
    othersCpuPctMax: samples.some((s) => s.othersCpuPct !== undefined)
      ? Math.max(...samples.map((s) => s.othersCpuPct ?? 0))
      : undefined,
    samples,
  };
}

export async function warmRestarts(bench: Bench, label: string, env: Record<string, string>, databasePids?: DatabasePids): Promise<StartupSummary> {
  const samples: StartupSample[] = [];
  const { warmRuns } = bench.options;
  for (let i = 1; i <= warmRuns; i += 1) {
    samples.push(await startupSample(bench, `${label} ${i}/${warmRuns}`, env, databasePids === undefined ? {} : { databasePids }));
  }
  return summarize(samples);
}
