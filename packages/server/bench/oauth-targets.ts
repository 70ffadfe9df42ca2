/**
 * The servers bench/oauth.ts compares, each started alone (a fresh store every time), given its client
 * and account, and logged in once so that it holds an SSO session with consent on record:
 *   oidc-provider-memory    oidc-provider 9 with its in-process MemoryAdapter
 *   oidc-provider-postgres  oidc-provider 9 with a PostgreSQL adapter (bench/oidc-provider-postgres-adapter.ts)
 *   gatehouse-postgres      `gatehouse start` on PostgreSQL (kickstart: an API key only; the rest through the API)
 *   gatehouse-embedded      `gatehouse start` on the embedded PGlite store
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import type { Bench } from './context.ts';
import { CookieJar, authorizeUrl, codeFromCallback, jwsHeader, newPkce, refresh, roundTrip, send, type HttpAnswer, type OAuthSide } from './oauth-client.ts';
import { gatehouseUser, oidcProviderClient, redirectUri } from './oauth-fixture.ts';
import { benchDir } from './options.ts';
import { createBenchDatabase, generateMasterKey, type BenchDatabase } from './postgres-database.ts';
import { stopChild } from './processes.ts';
import { startServer, type RunningServer } from './server.ts';
import { log } from './util.ts';

export const targetIds = ['oidc-provider-memory', 'oidc-provider-postgres', 'gatehouse-postgres', 'gatehouse-embedded'] as const;
export type TargetId = (typeof targetIds)[number];

export const targetLabels: Record<TargetId, string> = {
  'oidc-provider-memory': 'oidc-provider (in-memory adapter)',
  'oidc-provider-postgres': 'oidc-provider (PostgreSQL adapter)',
  'gatehouse-postgres': 'Gatehouse (PostgreSQL)',
  'gatehouse-embedded': 'Gatehouse (embedded PGlite)',
};

/** A started, configured, logged-in server. */
export interface PreparedTarget {
  readonly id: TargetId;
  readonly server: RunningServer;
  readonly side: OAuthSide;
  /** PostgreSQL backends serving its database (none for the in-memory and embedded stores). */
  readonly databasePids: () => Promise<number[]>;
  stop(): Promise<void>;
}

/** Per-run state of a target kind: its database or data dir, made once and emptied before every start. */
export interface TargetStore {
  readonly database?: BenchDatabase;
  readonly dataDir?: string;
  used: boolean;
}

export async function createTargetStore(bench: Bench, id: TargetId): Promise<TargetStore> {
  if (id === 'oidc-provider-memory') return { used: false };
  if (id === 'gatehouse-embedded') {
    const dir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-oauth-'));
    bench.processes.cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return { dataDir: dir, used: false };
  }
  const database = await createBenchDatabase(bench.processes, bench.options.postgresUrl, id === 'gatehouse-postgres' ? 'gatehouse_bench_oauth' : 'oidc_provider_bench');
  const dir = await mkdtemp(join(os.tmpdir(), 'gatehouse-bench-oauth-'));
  bench.processes.cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return { database, dataDir: dir, used: false };
}

const noPids = async () => [];

/** Starts the target on an empty store and configures its client and account (no session yet). */
export async function startTarget(bench: Bench, id: TargetId, store: TargetStore, nodeArgs: readonly string[]): Promise<PreparedTarget> {
  if (store.used) {
    await store.database?.reset();
    if (store.dataDir !== undefined) await rm(store.dataDir, { recursive: true, force: true });
  }
  store.used = true;
  return id.startsWith('oidc-provider') ? startOidcProvider(bench, id, store, nodeArgs) : startGatehouse(bench, id, store, nodeArgs);
}

/** Starts the target on an empty store, configures it and logs the account in once. */
export async function prepareTarget(bench: Bench, id: TargetId, store: TargetStore, agent: http.Agent, nodeArgs: readonly string[]): Promise<PreparedTarget> {
  const prepared = await startTarget(bench, id, store, nodeArgs);
  try {
    await establishSession(agent, prepared.side);
    // One checked round trip: ES256 access and ID tokens, a refresh token that the refresh grant accepts.
    const { tokens } = await roundTrip(agent, prepared.side);
    for (const [name, token] of [['access token', tokens.access_token], ['ID token', tokens.id_token]] as const) {
      const alg = token === undefined ? undefined : jwsHeader(token)['alg'];
      if (alg !== 'ES256') throw new Error(`${id}: the ${name} is signed with ${String(alg)}, not ES256`);
    }
    const idClaims = JSON.parse(Buffer.from(tokens.id_token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof idClaims['email'] !== 'string') throw new Error(`${id}: the ID token carries no email claim`);
    if (tokens.refresh_token === undefined) throw new Error(`${id}: the code exchange returned no refresh token`);
    const refreshed = await refresh(agent, prepared.side, tokens.refresh_token);
    if (refreshed.refresh_token !== undefined && refreshed.refresh_token !== tokens.refresh_token) {
      throw new Error(`${id}: the refresh token was rotated; both sides are meant to run the Reusable policy`);
    }
    return prepared;
  } catch (error) {
    await prepared.stop();
    const logTail = [...prepared.server.stdoutTail, ...prepared.server.stderrTail].slice(-6).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}${logTail === '' ? '' : `\nserver log:\n${logTail}`}`);
  }
}

async function startOidcProvider(bench: Bench, id: TargetId, store: TargetStore, nodeArgs: readonly string[]): Promise<PreparedTarget> {
  const env: Record<string, string> = store.database === undefined ? {} : { BENCH_OIDC_DATABASE_URL: store.database.url };
  const server = await startServer(bench.processes, { kind: 'script', script: [join(benchDir, 'oidc-provider-server.ts')], env, nodeArgs, readyTimeoutMs: 30_000 });
  log(`${id}: pid ${server.pid} on ${server.baseUrl}`);
  return {
    id,
    server,
    side: {
      authorizeEndpoint: `${server.baseUrl}/auth`,
      tokenEndpoint: `${server.baseUrl}/token`,
      clientId: oidcProviderClient.clientId,
      clientSecret: oidcProviderClient.clientSecret,
      scope: oidcProviderClient.scope,
      jar: new CookieJar(),
    },
    databasePids: store.database?.pids ?? noPids,
    stop: () => stopServer(id, server),
  };
}

async function startGatehouse(bench: Bench, id: TargetId, store: TargetStore, nodeArgs: readonly string[]): Promise<PreparedTarget> {
  const dataDir = store.dataDir ?? '';
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const apiKey = `bench-oauth-${randomBytes(16).toString('hex')}`;
  const kickstart = join(dataDir, 'kickstart.json');
  await writeFile(kickstart, JSON.stringify({ apiKeys: [{ key: apiKey }], requests: [] }));
  const env: Record<string, string> = {
    GATEHOUSE_DATA_DIR: join(dataDir, 'data'),
    GATEHOUSE_KICKSTART: kickstart,
    GATEHOUSE_LOG_LEVEL: 'warn',
    ...(store.database === undefined ? {} : { DATABASE_URL: store.database.url, GATEHOUSE_MASTER_KEY: generateMasterKey() }),
  };
  const server = await startServer(bench.processes, { kind: 'gatehouse', env, nodeArgs, readyTimeoutMs: 60_000 });
  log(`${id}: pid ${server.pid} on ${server.baseUrl}`);
  try {
    const api = async (path: string, body: unknown): Promise<Record<string, any>> => {
      const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!response.ok) throw new Error(`POST ${path} → ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, any>;
    };
    const { application } = await api('/api/application', {
      application: {
        name: 'OAuth bench',
        roles: [{ name: 'user', isDefault: true }],
        oauthConfiguration: {
          authorizedRedirectURLs: [redirectUri],
          enabledGrants: ['authorization_code', 'refresh_token'],
          generateRefreshTokens: true,
          clientAuthenticationPolicy: 'Required',
        },
        // Reusable refresh tokens with a fixed lifetime, as configured on oidc-provider (and FusionAuth's default).
        jwtConfiguration: { enabled: true, timeToLiveInSeconds: 3_600, refreshTokenTimeToLiveInMinutes: 43_200, refreshTokenUsagePolicy: 'Reusable', refreshTokenExpirationPolicy: 'Fixed' },
      },
    });
    await api('/api/user/registration', { user: { email: gatehouseUser.email, password: gatehouseUser.password }, registration: { applicationId: application['id'] } });
    return {
      id,
      server,
      side: {
        authorizeEndpoint: `${server.baseUrl}/oauth2/authorize`,
        tokenEndpoint: `${server.baseUrl}/oauth2/token`,
        clientId: application['oauthConfiguration'].clientId as string,
        clientSecret: application['oauthConfiguration'].clientSecret as string,
        scope: gatehouseUser.scope,
        jar: new CookieJar(),
      },
      databasePids: store.database?.pids ?? noPids,
      stop: () => stopServer(id, server),
    };
  } catch (error) {
    await stopServer(id, server);
    throw error;
  }
}

async function stopServer(id: TargetId, server: RunningServer): Promise<void> {
  const stopped = await stopChild(server.child);
  if (stopped.code !== 0) log(`${id}: stopped with exit code ${stopped.code}${stopped.killed ? ' (killed)' : ''}: ${server.stderrTail.slice(-5).join(' | ')}`);
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#x2F': '/', '#47': '/' };
function decodeEntities(value: string): string {
  return value.replace(/&(#?\w+);/g, (whole, name: string) => entities[name] ?? (name.startsWith('#x') ? String.fromCodePoint(parseInt(name.slice(2), 16)) : name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : whole));
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = match?.[1] ?? match?.[2] ?? match?.[3];
  return raw === undefined ? undefined : decodeEntities(raw);
}

/**
 * The first form of a hosted page as a POST: its hidden fields, `loginId`/`password` filled in when it has
 * them, and the first submit button with a name (a consent page's "allow").
 */
function submitForm(page: HttpAnswer, pageUrl: string): { url: string; body: string } | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
  if (form === null) return undefined;
  const formTag = /<form\b[^>]*>/i.exec(form[0])?.[0] ?? '';
  const fields = new URLSearchParams();
  let submitted = false;
  for (const [tag] of form[1]?.matchAll(/<(?:input|button)\b[^>]*>/gi) ?? []) {
    const name = attribute(tag, 'name');
    if (name === undefined) continue;
    const type = (attribute(tag, 'type') ?? (tag.toLowerCase().startsWith('<button') ? 'submit' : 'text')).toLowerCase();
    if (name === 'loginId') fields.set(name, gatehouseUser.email);
    else if (name === 'password') fields.set(name, gatehouseUser.password);
    else if (type === 'submit') {
      if (!submitted) fields.set(name, attribute(tag, 'value') ?? '');
      submitted = true;
    } else if (type === 'hidden' || type === 'text') fields.set(name, attribute(tag, 'value') ?? '');
    else if (type === 'checkbox' && /\schecked\b/i.test(tag)) fields.append(name, attribute(tag, 'value') ?? 'on');
  }
  return { url: new URL(attribute(formTag, 'action') ?? pageUrl, pageUrl).toString(), body: fields.toString() };
}

/**
 * Logs the account in once, the way a browser would: follows redirects, fills the login (and consent)
 * form when a page shows one, until the server redirects to the callback with a code. The cookies set
 * on the way (the SSO session) stay in `side.jar`.
 */
export async function establishSession(agent: http.Agent, side: OAuthSide): Promise<void> {
  const state = randomBytes(9).toString('base64url');
  let url = authorizeUrl(side, newPkce(), state);
  let answer = await send(agent, 'GET', url, side.jar.header());
  for (let step = 0; step < 12; step += 1) {
    side.jar.store(answer);
    const location = answer.headers.location;
    if (codeFromCallback(location, state) !== undefined) return;
    if (answer.status >= 300 && answer.status < 400 && location !== undefined) {
      url = new URL(location, url).toString();
      answer = await send(agent, 'GET', url, side.jar.header());
      continue;
    }
    const form = answer.status === 200 ? submitForm(answer, url) : undefined;
    if (form === undefined) throw new Error(`login: ${url} answered ${answer.status} ${answer.body.slice(0, 300)}`);
    url = form.url;
    answer = await send(agent, 'POST', form.url, { ...side.jar.header(), 'content-type': 'application/x-www-form-urlencoded', origin: new URL(form.url).origin }, form.body);
  }
  throw new Error(`login: no code after 12 steps (cookies: ${side.jar.names().join(', ')})`);
}
