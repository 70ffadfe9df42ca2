/**
 * Login API and user-retrieve throughput (issue 3), on PostgreSQL, next to the raw argon2id verify rate
 * of this machine: logins/s should sit within 15% of the hash ceiling (hashing, not the server, is the
 * limit). Usage: node packages/server/bench/login.ts [--duration 10] [--only login|retrieve] [--cpu-prof-dir DIR]
 * (`--cpu-prof-dir` writes the server's CPU profile there when it stops.)
 * Prints a markdown table; needs PostgreSQL at postgres://postgres@127.0.0.1:5432/postgres.
 */
import { hash, verify } from '@node-rs/argon2';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { LoadOutput, LoadSpec } from './load.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const cli = join(benchDir, '..', 'src', 'cli.ts');
const { values: args } = parseArgs({ options: { duration: { type: 'string', default: '10' }, only: { type: 'string' }, 'cpu-prof-dir': { type: 'string' }, 'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' } } });
const durationSec = Number(args.duration);
const profileArgs = args['cpu-prof-dir'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof-dir']];
const runs = (part: 'login' | 'retrieve') => args.only === undefined || args.only === part;
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/** @node-rs/argon2 verify() calls per second at the given concurrency, for `seconds` (OWASP parameters, as Gatehouse stores them): the hash ceiling. */
async function argon2Rate(concurrency: number, seconds: number): Promise<number> {
  const stored = await hash('correct horse battery', { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await verify(stored, 'correct horse battery');
        done += 1;
      }
    }),
  );
  return done / seconds;
}

function runLoad(spec: LoadSpec): Promise<LoadOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(benchDir, 'load.ts'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      children.delete(child);
      if (code === 0) resolve(JSON.parse(out) as LoadOutput);
      else reject(new Error(`load generator exited with ${code}`));
    });
  });
}

/** A port that was free a moment ago (the server is started with warn-level logs, so it cannot report its own). */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(env: Record<string, string>): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...profileArgs, cli, 'start'], { env: { ...process.env, ...env, GATEHOUSE_PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 300) throw new Error('server did not answer /api/status within 30 s');
    const ready = await fetch(`${baseUrl}/api/status`).then((response) => response.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    baseUrl,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
      children.delete(child);
    },
  };
}

async function api(baseUrl: string, apiKey: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: apiKey, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
  return response.json();
}

const admin = new pg.Client({ connectionString: args['postgres-url'] });
await admin.connect();
const database = `gatehouse_bench_login_${process.pid}`;
await admin.query(`create database ${database}`);
const url = new URL(args['postgres-url']!);
url.pathname = `/${database}`;
const dataDir = join(process.env['TMPDIR'] ?? '/tmp', `gatehouse-bench-login-${process.pid}`);
const masterKey = `k1:${randomBytes(32).toString('base64url')}`;
const apiKey = `bench-admin-${randomBytes(16).toString('hex')}`;
const { writeFile, rm, mkdir } = await import('node:fs/promises');
await mkdir(dataDir, { recursive: true });
const kickstart = join(dataDir, 'kickstart.json');
await writeFile(kickstart, JSON.stringify({ apiKeys: [{ key: apiKey }], requests: [] }));

try {
  const server = await startServer({ DATABASE_URL: url.toString(), GATEHOUSE_MASTER_KEY: masterKey, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_KICKSTART: kickstart, GATEHOUSE_LOG_LEVEL: 'warn' });
  try {
    const { application } = await api(server.baseUrl, apiKey, 'POST', '/api/application', { application: { name: 'Bench', roles: [{ name: 'user', isDefault: true }] } });
    const email = 'bench@example.com';
    const { user } = await api(server.baseUrl, apiKey, 'POST', '/api/user/registration', { user: { email, password: 'correct horse battery' }, registration: { applicationId: application.id } });

    const rows: string[] = [];
    const loginBody = JSON.stringify({ loginId: email, password: 'correct horse battery', applicationId: application.id });
    const headers = { authorization: apiKey, 'content-type': 'application/json' };
    if (runs('login')) await runLoad({ url: `${server.baseUrl}/api/login`, connections: 4, pipelining: 1, durationSec: 3, method: 'POST', headers, body: loginBody });
    // The hash ceiling is measured right before each login run, at the same concurrency, with the server
    // idle: on a shared machine, only figures taken minutes apart compare.
    for (const connections of runs('login') ? [2, 4, 8, 16] : []) {
      const ceiling = await argon2Rate(connections, durationSec);
      const login = await runLoad({ url: `${server.baseUrl}/api/login`, connections, pipelining: 1, durationSec, method: 'POST', headers, body: loginBody });
      rows.push(
        `| POST /api/login, ${connections} connections | ${login.reqPerSec.toFixed(0)} logins/s | p50 ${login.latencyMs.p50} ms, p99 ${login.latencyMs.p99} ms | non-2xx ${login.non2xx} | ${ceiling.toFixed(0)} verifies/s | ${((100 * login.reqPerSec) / ceiling).toFixed(0)} % |`,
      );
    }
    if (runs('retrieve')) {
      await runLoad({ url: `${server.baseUrl}/api/user/${user.id}`, connections: 50, pipelining: 1, durationSec: 3, headers: { authorization: apiKey } });
      const retrieve = await runLoad({ url: `${server.baseUrl}/api/user/${user.id}`, connections: 50, pipelining: 1, durationSec, headers: { authorization: apiKey } });
      rows.push(`| GET /api/user/{id}, 50 connections | ${retrieve.reqPerSec.toFixed(0)} req/s | p50 ${retrieve.latencyMs.p50} ms, p99 ${retrieve.latencyMs.p99} ms | non-2xx ${retrieve.non2xx} | | |`);
    }
    await server.stop();
    console.log(['| measurement | rate | latency | errors | raw argon2id verify, same concurrency, just before | share of the ceiling |', '|---|---|---|---|---|---|', ...rows].join('\n'));
  } finally {
    await server.stop().catch(() => undefined);
  }
} finally {
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
  await rm(dataDir, { recursive: true, force: true });
}
