/**
 * The servers bench/client-credentials.ts compares, each on a fresh store, configured for the grant and
 * checked once before anything is measured:
 *   gatehouse-postgres      `gatehouse start` on PostgreSQL; seed 003's entities through the management API
 *   oidc-provider-postgres  bench/oidc-provider-client-credentials-server.ts with the PostgreSQL adapter
 *   oidc-provider-memory    the same with oidc-provider's in-process MemoryAdapter
 * Each gives the three requests the benchmark loads: issuance with ES256, issuance with RS256, introspection.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { oidcClientCredentials as fixture } from './client-credentials-fixture.ts';
import type { Bench } from './context.ts';
import { basicAuthorization, send } from './oauth-client.ts';
import { benchDir } from './options.ts';
import { createBenchDatabase, generateMasterKey, type BenchDatabase } from './postgres-database.ts';
import { stopChild } from './processes.ts';
import { startServer, type RunningServer } from './server.ts';
import { log } from './util.ts';

export const targetIds = ['gatehouse-postgres', 'oidc-provider-postgres', 'oidc-provider-memory'] as const;
export type TargetId = (typeof targetIds)[number];

export const targetLabels: Record<TargetId, string> = {
  'gatehouse-postgres': 'Gatehouse (PostgreSQL)',
  'oidc-provider-postgres': 'oidc-provider (PostgreSQL adapter)',
  'oidc-provider-memory': 'oidc-provider (in-memory adapter)',
};

export const caseIds = ['issue-es256', 'issue-rs256', 'introspect'] as const;
export type CaseId = (typeof caseIds)[number];

export const caseLabels: Record<CaseId, string> = {
  'issue-es256': 'client_credentials, ES256 JWT',
  'issue-rs256': 'client_credentials, RS256 JWT',
  introspect: 'introspection of a client credentials token',
};

/** One POST the load generator repeats. */
export interface LoadedRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface StartedTarget {
  readonly id: TargetId;
  readonly server: RunningServer;
  readonly requests: Readonly<Record<CaseId, LoadedRequest>>;
  /** PostgreSQL backends serving its database (none for the in-memory adapter). */
  readonly databasePids: () => Promise<number[]>;
  stop(): Promise<void>;
}

const form = 'application/x-www-form-urlencoded';

function post(url: string, clientId: string, clientSecret: string, body: Record<string, string>): LoadedRequest {
  return { url, headers: { authorization: basicAuthorization({ clientId, clientSecret }), 'content-type': form }, body: new URLSearchParams(body).toString() };
}

/** Sends a request once; its JSON answer, or an error naming what went wrong. */
export async function sendOnce(request: LoadedRequest): Promise<Record<string, unknown>> {
  const agent = new http.Agent({ keepAlive: false });
  try {
    const answer = await send(agent, 'POST', request.url, { ...request.headers }, request.body);
    if (answer.status !== 200) throw new Error(`POST ${request.url} → ${answer.status} ${answer.body.slice(0, 300)}`);
    return JSON.parse(answer.body) as Record<string, unknown>;
  } finally {
    agent.destroy();
  }
}

function jwtHeader(token: unknown): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(token).split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** One request of each case, checked: a JWT with the right algorithm, an active introspection. */
async function check(target: StartedTarget): Promise<void> {
  for (const [caseId, alg] of [['issue-es256', 'ES256'], ['issue-rs256', 'RS256']] as const) {
    const answer = await sendOnce(target.requests[caseId]);
    const header = jwtHeader(answer['access_token']);
    if (header['alg'] !== alg) throw new Error(`${target.id} ${caseId}: the access token is signed with ${String(header['alg'])}, not ${alg}`);
  }
  const introspected = await sendOnce(target.requests.introspect);
  if (introspected['active'] !== true) throw new Error(`${target.id}: introspection answered ${JSON.stringify(introspected)}`);
}

const noPids = async () => [];

async function startOidcProvider(bench: Bench, id: TargetId, database: BenchDatabase | undefined, nodeArgs: readonly string[]): Promise<StartedTarget> {
  const env: Record<string, string> = database === undefined ? {} : { BENCH_OIDC_DATABASE_URL: database.url };
  const server = await startServer(bench.processes, { kind: 'script', script: [join(benchDir, 'oidc-provider-client-credentials-server.ts')], env, nodeArgs, readyTimeoutMs: 30_000 });
  log(`${id}: pid ${server.pid} on ${server.baseUrl}`);
  const token = `${server.baseUrl}/token`;
  const { clientSecret: secret } = fixture;
  try {
    const opaque = await sendOnce(post(token, fixture.es256ClientId, secret, { grant_type: 'client_credentials' }));
    const target: StartedTarget = {
      id,
      server,
      requests: {
        'issue-es256': post(token, fixture.es256ClientId, secret, { grant_type: 'client_credentials', resource: fixture.es256Resource, scope: fixture.scope }),
        'issue-rs256': post(token, fixture.rs256ClientId, secret, { grant_type: 'client_credentials', resource: fixture.rs256Resource, scope: fixture.scope }),
        introspect: post(`${server.baseUrl}/token/introspection`, fixture.resourceServerClientId, secret, { token: String(opaque['access_token']) }),
      },
      databasePids: database?.pids ?? noPids,
      stop: () => stopServer(id, server),
    };
    await check(target);
    return target;
  } catch (error) {
    await stopServer(id, server);
    throw error;
  }
}

interface Created {
  readonly id: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

async function startGatehouse(bench: Bench, database: BenchDatabase, nodeArgs: readonly string[]): Promise<StartedTarget> {
  const dir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-cc-'));
  bench.processes.cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'data'), { recursive: true });
  const apiKey = `bench-cc-${randomBytes(16).toString('hex')}`;
  const kickstart = join(dir, 'kickstart.json');
  await writeFile(kickstart, JSON.stringify({ apiKeys: [{ key: apiKey }], requests: [] }));
  const env = {
    GATEHOUSE_DATA_DIR: join(dir, 'data'),
    GATEHOUSE_KICKSTART: kickstart,
    GATEHOUSE_LOG_LEVEL: 'warn',
    GATEHOUSE_SIGNING_ALGORITHM: 'ES256',
    DATABASE_URL: database.url,
    GATEHOUSE_MASTER_KEY: generateMasterKey(),
  };
  const server = await startServer(bench.processes, { kind: 'gatehouse', env, nodeArgs, readyTimeoutMs: 60_000 });
  log(`gatehouse-postgres: pid ${server.pid} on ${server.baseUrl}`);
  try {
    const api = async (path: string, body: unknown): Promise<Record<string, any>> => {
      const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`POST ${path} → ${response.status} ${await response.text()}`);
      const text = await response.text();
      return text === '' ? {} : (JSON.parse(text) as Record<string, any>);
    };
    const permissions = [{ name: 'read' }, { name: 'write' }];
    // ES256: the tenant's default key. RS256: a generated 2048-bit key the entity type names.
    const { key } = await api('/api/key/generate', { key: { algorithm: 'RS256', name: 'Client credentials bench RS256' } });
    const { entityType: esType } = await api('/api/entity/type', { entityType: { name: 'API (ES256, tenant key)', permissions } });
    const { entityType: rsType } = await api('/api/entity/type', {
      entityType: { name: 'API (RS256)', permissions, jwtConfiguration: { enabled: true, timeToLiveInSeconds: 3_600, accessTokenKeyId: key['id'] } },
    });
    const entity = async (name: string, typeId: string): Promise<Created> => (await api('/api/entity', { entity: { name, type: { id: typeId } } }))['entity'] as Created;
    // Seed 003: the email API is the target, todo APIs the recipients, granted read and write.
    const emailApi = await entity('Email API', esType['id']);
    const todoEs = await entity('Todo API (ES256)', esType['id']);
    const todoRs = await entity('Todo API (RS256)', rsType['id']);
    for (const recipient of [todoEs, todoRs]) await api(`/api/entity/${emailApi.id}/grant`, { grant: { recipientEntityId: recipient.id, permissions: ['read', 'write'] } });

    const token = `${server.baseUrl}/oauth2/token`;
    const scope = `target-entity:${emailApi.id}:read`;
    const issueEs = post(token, todoEs.clientId, todoEs.clientSecret, { grant_type: 'client_credentials', scope });
    const accessToken = String((await sendOnce(issueEs))['access_token']);
    const target: StartedTarget = {
      id: 'gatehouse-postgres',
      server,
      requests: {
        'issue-es256': issueEs,
        'issue-rs256': post(token, todoRs.clientId, todoRs.clientSecret, { grant_type: 'client_credentials', scope }),
        // The resource server, the target entity, introspects the token it was sent.
        introspect: post(`${server.baseUrl}/oauth2/introspect`, emailApi.clientId, emailApi.clientSecret, { token: accessToken }),
      },
      databasePids: database.pids,
      stop: () => stopServer('gatehouse-postgres', server),
    };
    await check(target);
    return target;
  } catch (error) {
    await stopServer('gatehouse-postgres', server);
    throw error;
  }
}

/** Starts a target on a new database (dropped by the run's clean-ups) and checks its three requests. */
export async function startTarget(bench: Bench, id: TargetId, nodeArgs: readonly string[]): Promise<StartedTarget> {
  const database = id === 'oidc-provider-memory' ? undefined : await createBenchDatabase(bench.processes, bench.options.postgresUrl, id === 'gatehouse-postgres' ? 'gatehouse_bench_cc' : 'oidc_provider_bench_cc');
  return id === 'gatehouse-postgres' ? startGatehouse(bench, database!, nodeArgs) : startOidcProvider(bench, id, database, nodeArgs);
}

async function stopServer(id: TargetId, server: RunningServer): Promise<void> {
  const stopped = await stopChild(server.child);
  if (stopped.code !== 0) log(`${id}: stopped with exit code ${stopped.code}${stopped.killed ? ' (killed)' : ''}: ${server.stderrTail.slice(-5).join(' | ')}`);
}
