/**
 * The two OAuth measurements on one prepared target: the refresh_token grant under autocannon load
 * (bench/load.ts, its own process) and a bounded loop of authorization-code round trips driven from this
 * process. Both wait for the machine to be quiet first and are taken again when other work disturbed them.
 */
import http from 'node:http';
import type { Bench } from './context.ts';
import { sampleCpu, stealPid, systemPid, waitForQuiet } from './cpu-sampling.ts';
import { basicAuthorization, refresh, refreshBody, roundTrip } from './oauth-client.ts';
import type { PreparedTarget } from './oauth-targets.ts';
import { disturbedPct, maxRetries } from './options.ts';
import { isDisturbed, others, runAutocannon, type LoadRun, type RunCpu } from './throughput.ts';
import { log, round } from './util.ts';

/** Fresh refresh tokens, one per simulated client, each from its own code round trip (a grant of its own). */
export async function refreshTokens(target: PreparedTarget, count: number): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const tokens: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const { tokens: issued } = await roundTrip(agent, target.side);
      if (issued.refresh_token === undefined) throw new Error('no refresh token issued');
      tokens.push(issued.refresh_token);
    }
    return tokens;
  } finally {
    agent.destroy();
  }
}

/**
 * A burst of concurrent requests right before a measurement, so that the server's database pool has
 * opened the connections the run will use (idle ones close after a while) and their backends' pids,
 * read next, are the ones whose CPU the run is charged.
 */
async function openPoolConnections(target: PreparedTarget, concurrency: number, tokens: readonly string[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    await Promise.all(
      Array.from({ length: concurrency }, (_, i) => {
        const token = tokens[i % Math.max(1, tokens.length)];
        return token === undefined ? roundTrip(agent, target.side) : refresh(agent, target.side, token);
      }),
    );
  } finally {
    agent.destroy();
  }
}

/** autocannon POSTs the refresh_token grant on `connections` connections, each with its own refresh token (Reusable: used again and again). */
export async function loadRefresh(bench: Bench, target: PreparedTarget, connections: number, seconds: number, tokens: readonly string[], what: string): Promise<LoadRun> {
  const request = {
    connections,
    method: 'POST' as const,
    headers: { authorization: basicAuthorization(target.side), 'content-type': 'application/x-www-form-urlencoded' },
    bodies: tokens.map(refreshBody),
  };
  await waitForQuiet(bench, what);
  for (let retry = 0; ; retry += 1) {
    await openPoolConnections(target, Math.min(connections, 20), tokens);
    const run = await runAutocannon(bench, target.side.tokenEndpoint, 1, seconds, target.server.pid, await target.databasePids(), request);
    if (!isDisturbed(run) || retry >= maxRetries || bench.quietBudgetMs <= 0) return { ...run, retries: retry };
    log(`${what}: other processes used ${run.othersCpuPct}% of a core, the hypervisor stole ${run.stealPct}% (${run.reqPerSec} req/s); measuring again`);
    await waitForQuiet(bench, what);
  }
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles of millisecond samples, rounded to 0.01 ms. */
export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { p50: round(at(50), 2), p90: round(at(90), 2), p99: round(at(99), 2), max: round(at(100), 2), mean: round(mean, 2) };
}

/** loaderCpuPct: this process, the relying party making the round trips. */
export interface RoundTripRun extends RunCpu {
  readonly concurrency: number;
  readonly count: number;
  readonly errors: number;
  readonly wallSec: number;
  readonly perSec: number;
  readonly totalMs: Percentiles;
  readonly authorizeMs: Percentiles;
  readonly tokenMs: Percentiles;
  /** Every round trip's total, in ms (0.01 resolution): the report pools them over repeats. */
  readonly samplesMs: readonly number[];
}

async function loopRoundTrips(target: PreparedTarget, count: number, concurrency: number): Promise<Omit<RoundTripRun, keyof RunCpu>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const total: number[] = [];
  const authorize: number[] = [];
  const token: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: unknown;
  const startedAt = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (started < count) {
          started += 1;
          try {
            const trip = await roundTrip(agent, target.side);
            total.push(trip.totalMs);
            authorize.push(trip.authorizeMs);
            token.push(trip.tokenMs);
          } catch (error) {
            errors += 1;
            firstError ??= error;
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const wallSec = (performance.now() - startedAt) / 1_000;
  if (errors > 0) log(`${target.id}: ${errors} of ${count} round trips failed; the first: ${String(firstError)}`);
  if (total.length === 0) throw new Error(`every round trip failed: ${String(firstError)}`);
  return {
    concurrency,
    count: total.length,
    errors,
    wallSec: round(wallSec, 2),
    perSec: round(total.length / wallSec, 0),
    totalMs: percentiles(total),
    authorizeMs: percentiles(authorize),
    tokenMs: percentiles(token),
    samplesMs: total.map((ms) => round(ms, 2)),
  };
}

/** `count` round trips by `concurrency` workers (1: strictly sequential); unmeasured `warmup` round trips first. */
export async function measureRoundTrips(bench: Bench, target: PreparedTarget, count: number, concurrency: number, what: string): Promise<RoundTripRun> {
  await waitForQuiet(bench, what);
  for (let retry = 0; ; retry += 1) {
    await openPoolConnections(target, concurrency, []);
    const databasePids = await target.databasePids();
    const sampler = sampleCpu({ server: target.server.pid, loader: process.pid, database: databasePids, system: systemPid, steal: stealPid });
    const loop = await loopRoundTrips(target, count, concurrency);
    const cpu = sampler.stop();
    const run: RoundTripRun = {
      ...loop,
      serverCpuPct: cpu['server'],
      loaderCpuPct: cpu['loader'],
      databaseCpuPct: databasePids.length > 0 ? cpu['database'] : undefined,
      othersCpuPct: others(cpu),
      stealPct: cpu['steal'],
      retries: retry,
    };
    const disturbed = (run.othersCpuPct ?? 0) >= disturbedPct || (run.stealPct ?? 0) >= disturbedPct;
    if (!disturbed || retry >= maxRetries || bench.quietBudgetMs <= 0) return run;
    log(`${what}: other processes used ${run.othersCpuPct}% of a core, the hypervisor stole ${run.stealPct}%; measuring again`);
    await waitForQuiet(bench, what);
  }
}

/** Unrecorded load so that the JIT has compiled both paths before anything is measured. */
export async function warmUp(bench: Bench, target: PreparedTarget, seconds: number, roundTrips: number): Promise<void> {
  const tokens = await refreshTokens(target, 10);
  await loadRefresh({ ...bench, quietBudgetMs: 0 }, target, 10, seconds, tokens, `${target.id} warm-up`);
  await loopRoundTrips(target, roundTrips, 4);
}
