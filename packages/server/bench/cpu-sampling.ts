/** /proc readings: memory and CPU time of processes and of the machine, CPU sampling during a run, waiting for quiet. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bench } from './context.ts';
import { disturbedPct } from './options.ts';
import { log, round } from './util.ts';

const clockTicks = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
})();

export interface Memory {
  readonly rssMb: number;
  readonly hwmMb: number;
}

export function readMemory(pid: number): Memory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: round(kb('VmRSS') / 1024, 1), hwmMb: round(kb('VmHWM') / 1024, 1) };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of a process (all its threads). */
export function readCpuSec(pid: number): number | undefined {
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
 * CPU seconds the whole machine spent busy (every core; idle, iowait and steal excluded), or with
 * `steal` the seconds the hypervisor gave our virtual CPUs to someone else, from /proc/stat.
 */
export function readSystemBusySec(steal = false): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq, stolen] = line.trim().split(/\s+/).map(Number);
    if (steal) return (stolen ?? 0) / clockTicks;
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / clockTicks;
  } catch {
    return undefined;
  }
}

export const systemPid = -1;
export const stealPid = -2;

/**
 * Samples the CPU time of some processes (pid -1: the whole machine) every 500 ms; `stop()` gives each one's CPU use in percent of
 * one core between its first and last sample after the first second (ramp-up left out).
 */
export function sampleCpu(pids: Record<string, number | readonly number[] | undefined>): { stop(): Record<string, number | undefined> } {
  // Keyed by name, then by pid: a group (the database's backends) is the sum of its members.
  const samples = new Map<string, Map<number, Array<{ at: number; cpu: number }>>>();
  const startedAt = performance.now();
  const take = () => {
    const at = performance.now();
    if (at - startedAt < 1_000) return;
    for (const [name, entry] of Object.entries(pids)) {
      if (entry === undefined) continue;
      for (const pid of typeof entry === 'number' ? [entry] : entry) {
        const cpu = pid === systemPid ? readSystemBusySec() : pid === stealPid ? readSystemBusySec(true) : readCpuSec(pid);
        if (cpu === undefined) continue;
        const byPid = samples.get(name) ?? new Map<number, Array<{ at: number; cpu: number }>>();
        samples.set(name, byPid);
        byPid.set(pid, [...(byPid.get(pid) ?? []), { at, cpu }]);
      }
    }
  };
  const timer = setInterval(take, 500);
  return {
    stop() {
      clearInterval(timer);
      const result: Record<string, number | undefined> = {};
      for (const name of Object.keys(pids)) {
        let cpu = 0;
        let from = Infinity;
        let to = -Infinity;
        for (const list of samples.get(name)?.values() ?? []) {
          const first = list[0];
          const last = list[list.length - 1];
          if (first === undefined || last === undefined) continue;
          cpu += last.cpu - first.cpu;
          from = Math.min(from, first.at);
          to = Math.max(to, last.at);
        }
        result[name] = to - from > 1_000 ? round((cpu / ((to - from) / 1_000)) * 100, 0) : undefined;
      }
      return result;
    },
  };
}

/**
 * Waits (within the run's total budget) until processes other than this one use less than 25% of a
 * core, so a concurrent test run on the machine does not skew a measurement. Returns that share.
 */
export async function waitForQuiet(bench: Bench, what: string): Promise<number | undefined> {
  let warned = false;
  for (;;) {
    const before = { system: readSystemBusySec(), self: process.cpuUsage() };
    const startedAt = performance.now();
    await sleep(1_000);
    const elapsed = (performance.now() - startedAt) / 1_000;
    const after = readSystemBusySec();
    const self = process.cpuUsage(before.self);
    if (before.system === undefined || after === undefined) return undefined;
    const othersPct = round(((after - before.system - (self.user + self.system) / 1e6) / elapsed) * 100, 0);
    if (othersPct < disturbedPct || bench.quietBudgetMs <= 0) {
      if (warned || othersPct >= disturbedPct) log(`${what}: other processes use ${othersPct}% of a core; measuring anyway`);
      return othersPct;
    }
    if (!warned) log(`${what}: other processes use ${othersPct}% of a core; waiting for the machine to be quiet`);
    warned = true;
    bench.quietBudgetMs -= 1_000 * elapsed;
  }
}
