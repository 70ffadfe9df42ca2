/** Child processes: every one is tracked and killed on any way out; stopping, exits and output draining. */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** The run's children and clean-ups, and whether it was interrupted by a signal. */
export interface Processes {
  readonly children: Set<ChildProcess>;
  readonly cleanups: Array<() => Promise<void>>;
  interrupted: boolean;
}

export function createProcesses(): Processes {
  return { children: new Set<ChildProcess>(), cleanups: [], interrupted: false };
}

export function track(processes: Processes, child: ChildProcess): ChildProcess {
  const { children } = processes;
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
  return child;
}

/** A timer for Promise.race that does not keep the process alive once everything else is done. */
export function timeout(ms: number): Promise<undefined> {
  return sleep(ms, undefined, { ref: false });
}

export function killAllChildren(processes: Processes): void {
  for (const child of processes.children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function runCleanups(processes: Processes): Promise<void> {
  const { cleanups } = processes;
  killAllChildren(processes);
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    if (cleanup === undefined) break;
    await Promise.race([cleanup().catch((error: unknown) => console.error(`bench: cleanup failed: ${String(error)}`)), timeout(10_000)]);
  }
}

/** Kills every child on exit; on SIGINT/SIGTERM stops them, runs the clean-ups and exits with 130 (at once on a second signal). */
export function handleSignals(processes: Processes): void {
  process.on('exit', () => killAllChildren(processes));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (processes.interrupted) process.exit(130);
      processes.interrupted = true;
      console.error(`\nbench: ${signal}: stopping children and cleaning up`);
      void runCleanups(processes).finally(() => process.exit(130));
    });
  }
}

/** Last resort: gives up (cleaning up first) after `watchdogMinutes`. */
export function startWatchdog(processes: Processes, watchdogMinutes: number): void {
  const watchdog = setTimeout(() => {
    console.error(`bench: watchdog: still running after ${watchdogMinutes} minutes; giving up`);
    void runCleanups(processes).finally(() => process.exit(1));
  }, watchdogMinutes * 60_000);
  watchdog.unref();
}

/** A driver's measuring run: signals handled, the watchdog set, the exit code `main`'s (1, after cleaning up, when it throws). */
export async function runMain(processes: Processes, watchdogMinutes: number, main: () => Promise<number>): Promise<void> {
  handleSignals(processes);
  startWatchdog(processes, watchdogMinutes);
  try {
    process.exitCode = await main();
  } catch (error) {
    console.error(error);
    await runCleanups(processes);
    process.exitCode = 1;
  }
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves with how it ended and how long stopping took. */
export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<Exit & { stopMs: number; killed: boolean }> {
  const startedAt = performance.now();
  const exit = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null) return { ...(await exit), stopMs: 0, killed: false };
  child.kill('SIGTERM');
  const graceful = await Promise.race([exit, timeout(graceMs)]);
  if (graceful !== undefined) return { ...graceful, stopMs: performance.now() - startedAt, killed: false };
  child.kill('SIGKILL');
  const forced = await Promise.race([exit, timeout(5_000).then(() => ({ code: null, signal: null }))]);
  return { ...forced, stopMs: performance.now() - startedAt, killed: true };
}

/** Keeps the last lines of a stream (and calls `onLine` for each) so the pipe never fills up. */
export function drainLines(stream: NodeJS.ReadableStream | null, keep: string[], onLine?: (line: string) => void): void {
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
