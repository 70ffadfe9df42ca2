import { isIP } from 'node:net';
import { parseMasterKeys, type MasterKey } from '../keys/key-ring.ts';
import { booleanFlag, integerIn, nonEmpty, oneOf, option } from './option.ts';

export const signingAlgorithms = ['ES256', 'RS256', 'EdDSA'] as const;
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function postgresUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a URL such as postgres://user@127.0.0.1:5432/gatehouse');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`must start with postgres:// or postgresql://, got "${url.protocol}//"`);
  }
  if (url.pathname.length <= 1) throw new Error('must name a database, e.g. postgres://127.0.0.1:5432/gatehouse');
  return raw;
}

/** An http(s) origin with an optional path, no query or fragment; kept without a trailing slash. */
function publicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a URL such as https://auth.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`must start with https:// or http://, got "${url.protocol}//"`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') throw new Error('must not hold a query, a fragment or user info');
  return url.href.replace(/\/+$/, '');
}

function hostname(raw: string): string {
  if (isIP(raw) === 0 && !/^[a-zA-Z0-9.-]+$/.test(raw)) throw new Error(`must be an IP address or host name, got "${raw}"`);
  return raw;
}

/**
 * Every option Gatehouse reads, in the order the README lists them. Nothing else reads process.env.
 * The README's configuration table is checked against this list by a test.
 */
export const options = {
  host: option({
    env: 'GATEHOUSE_HOST', defaultText: '127.0.0.1', fallback: '127.0.0.1', parse: hostname,
    description: 'Address the HTTP server listens on. Use 0.0.0.0 to accept connections from other machines.',
  }),
  port: option({
    env: 'GATEHOUSE_PORT', defaultText: '9011', fallback: 9011, parse: integerIn(0, 65535),
    description: 'TCP port of the HTTP server (0 picks a free port).',
  }),
  dataDir: option({
    env: 'GATEHOUSE_DATA_DIR', defaultText: './data', fallback: './data', parse: nonEmpty,
    description: 'Folder for the embedded store, the generated master key and the bootstrap API key. Locked against a second process.',
  }),
  databaseUrl: option<string | undefined>({
    env: 'DATABASE_URL', defaultText: '(unset: embedded store)', fallback: undefined, parse: postgresUrl,
    description: 'PostgreSQL connection URL. When set, PostgreSQL is the store instead of the embedded PGlite one.',
  }),
  databasePoolSize: option({
    env: 'GATEHOUSE_DATABASE_POOL_SIZE', defaultText: '10', fallback: 10, parse: integerIn(1, 1000),
    description: 'Most PostgreSQL connections one process opens.',
  }),
  masterKey: option<readonly MasterKey[] | undefined>({
    env: 'GATEHOUSE_MASTER_KEY', defaultText: '(embedded: generated into the data dir)', fallback: undefined, parse: parseMasterKeys,
    description: 'Key ring that seals secrets at rest: comma-separated `id:base64url-32-bytes` entries, the first one seals. Required with PostgreSQL. Generate one with `./gatehouse generate-master-key`.',
  }),
  kickstart: option<string | undefined>({
    env: 'GATEHOUSE_KICKSTART', defaultText: '(unset)', fallback: undefined, parse: nonEmpty,
    description: 'Path of a FusionAuth-format kickstart file, run once on a store that has never been set up.',
  }),
  signingAlgorithm: option<(typeof signingAlgorithms)[number]>({
    env: 'GATEHOUSE_SIGNING_ALGORITHM', defaultText: 'ES256', fallback: 'ES256', parse: oneOf(signingAlgorithms),
    description: 'Algorithm of the signing key created on first start (ES256, RS256 or EdDSA).',
  }),
  logLevel: option<(typeof logLevels)[number]>({
    env: 'GATEHOUSE_LOG_LEVEL', defaultText: 'info', fallback: 'info', parse: oneOf(logLevels),
    description: 'Least severe log level written (fatal, error, warn, info, debug, trace, silent).',
  }),
  bodyLimit: option({
    env: 'GATEHOUSE_BODY_LIMIT', defaultText: '1048576', fallback: 1_048_576, parse: integerIn(1024, 104_857_600),
    description: 'Largest request body accepted, in bytes; larger bodies get 413.',
  }),
  shutdownTimeout: option({
    env: 'GATEHOUSE_SHUTDOWN_TIMEOUT', defaultText: '10000', fallback: 10_000, parse: integerIn(0, 600_000),
    description: 'Milliseconds a graceful shutdown waits for in-flight requests before closing anyway.',
  }),
  publicUrl: option<string | undefined>({
    env: 'GATEHOUSE_PUBLIC_URL', defaultText: '(unset: the origin each request reached)', fallback: undefined, parse: publicUrl,
    description: 'The URL clients reach Gatehouse at. It is the default tenant issuer and the base of every endpoint in discovery; set it in production (https).',
  }),
  trustProxy: option({
    env: 'GATEHOUSE_TRUST_PROXY', defaultText: 'false', fallback: false, parse: booleanFlag,
    description: 'Trust X-Forwarded-* headers (set true only behind a reverse proxy you control).',
  }),
  allowPrivateNetwork: option({
    env: 'GATEHOUSE_ALLOW_PRIVATE_NETWORK', defaultText: 'false', fallback: false, parse: booleanFlag,
    description: 'Let requests to upstream identity providers reach loopback, private and link-local addresses, and use plain http (for local development and tests only).',
  }),
  vaultRefreshMarginSeconds: option({
    env: 'GATEHOUSE_VAULT_REFRESH_MARGIN_SECONDS', defaultText: '60', fallback: 60, parse: integerIn(0, 3600),
    description: 'The hub refreshes an upstream access token this many seconds before it expires, so a token it hands out stays valid at least that long.',
  }),
  vaultKeepAliveIntervalSeconds: option({
    env: 'GATEHOUSE_VAULT_KEEP_ALIVE_INTERVAL_SECONDS', defaultText: '0 (off)', fallback: 0, parse: integerIn(0, 86_400),
    description: 'How often the hub\'s keep-alive job runs on this node: it refreshes links idle for half their provider\'s refreshTokenIdleTimeoutInSeconds and warns before refresh tokens expire. 0 turns it off.',
  }),
  vaultExpiryWarningSeconds: option({
    env: 'GATEHOUSE_VAULT_EXPIRY_WARNING_SECONDS', defaultText: '604800 (7 days)', fallback: 604_800, parse: integerIn(0, 31_536_000),
    description: 'How long before an upstream refresh token\'s known expiry the keep-alive job emits identity-provider.link.refresh-token.expiring.',
  }),
} as const;

type Options = typeof options;
export type Config = { readonly [K in keyof Options]: Options[K]['fallback'] };
