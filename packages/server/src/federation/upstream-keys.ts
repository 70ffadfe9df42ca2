/**
 * The signing keys of upstream providers: one JWKS cache per `jwks_uri`, fetched through the SSRF-guarded
 * upstream client (security checklist §3.7 SEC-04/SEC-05, §3.5 SSRF-04).
 *
 * - A fetched key set is used for `ttlMs`; concurrent callers share one fetch. When a refresh fails the
 *   last good key set stays in use.
 * - A token whose key is not in the set (unknown `kid`, or no key fitting its `alg`) makes the set be
 *   fetched again once, at most one such refetch per `refetchCooldownMs` per URI; the key is then looked
 *   up again and, still missing, the token is refused (jose's `JWKSNoMatchingKey`).
 * - Keys come only from the configured `jwks_uri`: `jku`, `x5u` and `x5c` in a token header are never used.
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { UpstreamHttp } from './upstream-http.ts';

export interface UpstreamKeysOptions {
  /** How long a fetched key set is used before it is fetched again. */
  readonly ttlMs?: number;
  /** The least time between two refetches caused by an unknown key, per URI. */
  readonly refetchCooldownMs?: number;
  readonly now?: () => number;
}

export interface UpstreamKeys {
  /** A jose key resolver over the keys at `jwksUri` (for `jwtVerify`). */
  resolver(jwksUri: string): JWTVerifyGetKey;
  /** The key set currently in use for `jwksUri`, fetched if needed. */
  keySet(jwksUri: string): Promise<JSONWebKeySet>;
}

interface Entry {
  jwks: JSONWebKeySet;
  resolve: JWTVerifyGetKey;
  expiresAt: number;
}

export function createUpstreamKeys(http: UpstreamHttp, options: UpstreamKeysOptions = {}): UpstreamKeys {
  const { ttlMs = 600_000, refetchCooldownMs = 30_000, now = Date.now } = options;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry>>();
  const lastRefetch = new Map<string, number>();

  function fetchEntry(jwksUri: string): Promise<Entry> {
    const pending = inFlight.get(jwksUri);
    if (pending !== undefined) return pending;
    const fetching = http
      .getJson(jwksUri)
      .then(({ json }) => {
        // createLocalJWKSet checks the shape (JWKSInvalid); private members are refused at import time.
        const jwks = json as JSONWebKeySet;
        const entry: Entry = { jwks, resolve: createLocalJWKSet(jwks), expiresAt: now() + ttlMs };
        entries.set(jwksUri, entry);
        return entry;
      })
      .finally(() => inFlight.delete(jwksUri));
    inFlight.set(jwksUri, fetching);
    return fetching;
  }

  async function current(jwksUri: string): Promise<Entry> {
    const entry = entries.get(jwksUri);
    if (entry === undefined) return fetchEntry(jwksUri);
    if (entry.expiresAt > now()) return entry;
    try {
      return await fetchEntry(jwksUri);
    } catch {
      return entry; // keep the last good key set while the upstream is unavailable
    }
  }

  return {
    keySet: async (jwksUri) => (await current(jwksUri)).jwks,
    resolver: (jwksUri) => async (header, token) => {
      const entry = await current(jwksUri);
      try {
        return await entry.resolve(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        const last = lastRefetch.get(jwksUri);
        if (last !== undefined && now() - last < refetchCooldownMs) throw error;
        lastRefetch.set(jwksUri, now());
        const refreshed = await fetchEntry(jwksUri);
        return refreshed.resolve(header, token);
      }
    },
  };
}
