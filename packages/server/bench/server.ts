/** Starting a server (Gatehouse or a baseline) as a tracked child and waiting until it answers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { baselinePath, cliPath } from './options.ts';
import { drainLines, exitOf, stopChild, track, type Processes } from './processes.ts';
import { round } from './util.ts';

/** Pids of the PostgreSQL backends serving the benchmark database, so their CPU is not counted as a disturbance. */
export type DatabasePids = () => Promise<number[]>;

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
export function probe(url: string, timeoutMs: number): Promise<{ status: number; body: string } | undefined> {
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

/** The parent's environment without any Gatehouse configuration, plus `extra`. */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('GATEHOUSE_') || name === 'DATABASE_URL') continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

export interface RunningServer {
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

export interface StartOptions {
  /**
   * `gatehouse` runs `src/cli.ts start`; a baseline variant runs bench/baseline-server.ts; `script` runs
   * `script` (a file and its arguments), which must serve GET /api/status on BENCH_PORT.
   */
  readonly kind: 'gatehouse' | 'bare' | 'headers' | 'helmet' | 'script';
  readonly script?: readonly string[];
  /** Node options before the script, e.g. `--cpu-prof --cpu-prof-dir DIR`. */
  readonly nodeArgs?: readonly string[];
  readonly env?: Record<string, string>;
  /** Send stdout to /dev/null instead of reading it (the logging-cost run). */
  readonly stdoutToDevNull?: boolean;
  readonly readyTimeoutMs?: number;
}

export async function startServer(processes: Processes, options: StartOptions): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const script = options.kind === 'gatehouse' ? [cliPath, 'start'] : options.kind === 'script' ? (options.script ?? []) : [baselinePath, options.kind];
  const argv = [...(options.nodeArgs ?? []), ...script];
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
  const child = track(processes, spawn(process.execPath, argv, { env, stdio: ['ignore', devNull ?? 'pipe', 'pipe'] }));
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
