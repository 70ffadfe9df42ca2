/**
 * Everything Gatehouse needs to talk to upstream providers, made once per app: the SSRF-guarded HTTP
 * client, and the discovery-document and key caches on top of it (per app, never module-level, so two
 * apps in one process keep their own).
 */
import { createUpstreamHttp, type UpstreamHttp } from './upstream-http.ts';
import { createUpstreamKeys, type UpstreamKeys } from './upstream-keys.ts';
import { createUpstreamMetadata, type UpstreamMetadata } from './upstream-metadata.ts';

export interface Upstreams {
  readonly http: UpstreamHttp;
  readonly metadata: UpstreamMetadata;
  readonly keys: UpstreamKeys;
  readonly now: () => number;
}

export interface UpstreamsOptions {
  /** GATEHOUSE_ALLOW_PRIVATE_NETWORK: upstreams on loopback/private addresses and plain http (development, tests). */
  readonly allowPrivateNetwork: boolean;
  readonly now: () => number;
}

export function createUpstreams(options: UpstreamsOptions): Upstreams {
  // FusionAuth gives upstream calls 10 s; 5 s keeps a user's callback from hanging as long on a dead upstream.
  const http = createUpstreamHttp({ allowPrivateNetwork: options.allowPrivateNetwork, timeoutMs: 5000 });
  return { http, metadata: createUpstreamMetadata(http, { now: options.now }), keys: createUpstreamKeys(http, { now: options.now }), now: options.now };
}
