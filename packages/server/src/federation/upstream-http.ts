/**
 * The one door for requests Gatehouse makes to a configured upstream (OIDC discovery, JWKS, token,
 * userinfo): an SSRF guard (docs/security.md, "Outbound requests"; security checklist §3.5).
 *
 * - https only; plain http only when private networks are allowed (local development and tests).
 * - The host is resolved once and refused if ANY of its addresses is loopback, link-local, private,
 *   unspecified, CGNAT, multicast or reserved (IPv4-mapped, IPv4-compatible and NAT64 IPv6 forms are
 *   judged by the IPv4 address they carry), unless private networks are allowed.
 * - The connection goes to that checked address (pinned through the socket's `lookup`), keeping the
 *   original name for the Host header and TLS SNI/certificate check, so a DNS answer that changes
 *   between check and connect (rebinding) is never used.
 * - Redirects are not followed (a 3xx is an error); one deadline covers resolution, connection and the
 *   whole response; bodies beyond the size cap are cut off; no cookies, no connection reuse.
 * - Error messages name the upstream host only: never the path, query, form values or headers.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

export type UpstreamErrorKind = 'refused_url' | 'refused_address' | 'timeout' | 'too_large' | 'http_status' | 'invalid_json' | 'network';

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  /** The upstream's host name (or address literal) the request was for. */
  readonly host: string;
  /** The HTTP status, for `http_status` (a 3xx included), `too_large` and `invalid_json`. */
  readonly status: number | undefined;
  /** The parsed JSON body of a non-2xx answer (an OAuth error such as `invalid_grant`), if it had one. */
  readonly body: unknown;

  constructor(kind: UpstreamErrorKind, host: string, message: string, details: { status?: number; body?: unknown; cause?: unknown } = {}) {
    super(`Upstream ${host}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UpstreamError';
    this.kind = kind;
    this.host = host;
    this.status = details.status;
    this.body = details.body;
  }
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has (the default is `dns.lookup` with `all: true`). */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface UpstreamHttpOptions {
  /** Allow loopback/private/link-local/... addresses and plain http (`GATEHOUSE_ALLOW_PRIVATE_NETWORK`). */
  readonly allowPrivateNetwork: boolean;
  /** Deadline of one request, resolution to last body byte. */
  readonly timeoutMs?: number;
  /** Largest response body read, in bytes. */
  readonly maxResponseBytes?: number;
  readonly lookup?: HostLookup;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly json: unknown;
}

export interface UpstreamHttp {
  /** GET a JSON document (headers such as a bearer `authorization` for userinfo); a non-2xx answer is an `http_status` error. */
  getJson(url: string, headers?: Readonly<Record<string, string>>): Promise<UpstreamResponse>;
  /** POST an `application/x-www-form-urlencoded` body and read a JSON answer; non-2xx is an `http_status` error. */
  postForm(url: string, form: Readonly<Record<string, string>> | URLSearchParams, headers?: Readonly<Record<string, string>>): Promise<UpstreamResponse>;
}

const defaultLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, order: 'verbatim' });

export function createUpstreamHttp(options: UpstreamHttpOptions): UpstreamHttp {
  const { allowPrivateNetwork, timeoutMs = 5000, maxResponseBytes = 1_000_000, lookup = defaultLookup } = options;

  async function send(method: 'GET' | 'POST', rawUrl: string, body: string | undefined, extraHeaders: Readonly<Record<string, string>>): Promise<UpstreamResponse> {
    const url = checkUrl(rawUrl, allowPrivateNetwork);
    const host = url.hostname;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      const pinned = await withDeadline(resolveChecked(host, lookup, allowPrivateNetwork), deadline.signal, host, timeoutMs);
      return await exchange({ method, url, pinned, body, extraHeaders, signal: deadline.signal, timeoutMs, maxResponseBytes });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    getJson: (url, headers = {}) => send('GET', url, undefined, headers),
    postForm: (url, form, headers = {}) => {
      const body = (form instanceof URLSearchParams ? form : new URLSearchParams({ ...form })).toString();
      return send('POST', url, body, { ...headers, 'content-type': 'application/x-www-form-urlencoded' });
    },
  };
}

function checkUrl(rawUrl: string, allowPrivateNetwork: boolean): URL {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UpstreamError('refused_url', '(invalid URL)', 'the URL does not parse');
  }
  const host = url.hostname;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPrivateNetwork)) {
    throw new UpstreamError('refused_url', host, `the scheme ${url.protocol} is refused (https only)`);
  }
  if (url.username !== '' || url.password !== '') throw new UpstreamError('refused_url', host, 'URLs with user info are refused');
  if (host === '') throw new UpstreamError('refused_url', '(no host)', 'the URL has no host');
  return url;
}

/** Resolves the host (or takes its literal address) and checks every address; returns the one to connect to. */
async function resolveChecked(host: string, lookup: HostLookup, allowPrivateNetwork: boolean): Promise<ResolvedAddress> {
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  let addresses: readonly ResolvedAddress[];
  if (isIP(literal) !== 0) {
    addresses = [{ address: literal, family: isIP(literal) }];
  } else {
    try {
      addresses = await lookup(host);
    } catch (error) {
      throw new UpstreamError('network', host, 'the host name does not resolve', { cause: error });
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new UpstreamError('network', host, 'the host name does not resolve');
  if (!allowPrivateNetwork) {
    for (const { address } of addresses) {
      const range = blockedRange(address);
      if (range !== undefined) {
        throw new UpstreamError('refused_address', host, `resolves to a ${range} address, refused (GATEHOUSE_ALLOW_PRIVATE_NETWORK is off)`);
      }
    }
  }
  return first;
}

function withDeadline<T>(work: Promise<T>, signal: AbortSignal, host: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new UpstreamError('timeout', host, `no answer within ${timeoutMs} ms`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

interface Exchange {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly pinned: ResolvedAddress;
  readonly body: string | undefined;
  readonly extraHeaders: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

function exchange({ method, url, pinned, body, extraHeaders, signal, timeoutMs, maxResponseBytes }: Exchange): Promise<UpstreamResponse> {
  const host = url.hostname;
  const headers: OutgoingHttpHeaders = { accept: 'application/json', 'user-agent': 'Gatehouse', ...extraHeaders };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  /** Hands the socket the checked address whatever name it asks for: no second resolution. */
  const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all === true) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<UpstreamResponse>((resolve, reject) => {
    let settled = false;
    const fail = (error: UpstreamError) => {
      if (settled) return;
      settled = true;
      request.destroy();
      reject(error);
    };
    const request = send(url, { method, headers, lookup: pinnedLookup, agent: false, maxHeaderSize: 16_384 }, (response) => {
      readBody(response, host, maxResponseBytes, fail, (status, text) => {
        if (settled) return;
        settled = true;
        const json = parseJson(text);
        if (status < 200 || status >= 300) {
          const what = status >= 300 && status < 400 ? 'answered with a redirect, which is not followed' : 'answered with an error status';
          reject(new UpstreamError('http_status', host, `${what} (HTTP ${status})`, json.ok ? { status, body: json.value } : { status }));
        } else if (!json.ok) {
          reject(new UpstreamError('invalid_json', host, `answered HTTP ${status} with a body that is not JSON`, { status }));
        } else {
          resolve({ status, json: json.value });
        }
      });
    });
    request.on('error', (error) => fail(new UpstreamError('network', host, `request failed (${errorCode(error)})`, { cause: error })));
    const onAbort = () => fail(new UpstreamError('timeout', host, `no complete answer within ${timeoutMs} ms`));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    request.on('close', () => signal.removeEventListener('abort', onAbort));
    request.end(body);
  });
}

function readBody(response: IncomingMessage, host: string, maxResponseBytes: number, fail: (error: UpstreamError) => void, done: (status: number, text: string) => void): void {
  const status = response.statusCode ?? 0;
  const tooLarge = () => fail(new UpstreamError('too_large', host, `answered with a body over ${maxResponseBytes} bytes`, { status }));
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxResponseBytes) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxResponseBytes) {
      response.destroy();
      tooLarge();
    } else {
      chunks.push(chunk);
    }
  });
  response.on('end', () => done(status, Buffer.concat(chunks).toString('utf8')));
  response.on('error', (error) => fail(new UpstreamError('network', host, `the answer broke off (${errorCode(error)})`, { cause: error })));
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'connection error';
}

// ---------------------------------------------------------------------------------------------------
// Address classification

type Ipv4Range = readonly [base: number, prefix: number, name: string];

const ipv4Ranges: readonly Ipv4Range[] = [
  [ipv4('0.0.0.0'), 8, 'unspecified'],
  [ipv4('127.0.0.0'), 8, 'loopback'],
  [ipv4('169.254.0.0'), 16, 'link-local'],
  [ipv4('10.0.0.0'), 8, 'private'],
  [ipv4('172.16.0.0'), 12, 'private'],
  [ipv4('192.168.0.0'), 16, 'private'],
  [ipv4('100.64.0.0'), 10, 'CGNAT'],
  [ipv4('224.0.0.0'), 4, 'multicast'],
  [ipv4('240.0.0.0'), 4, 'reserved'],
];

/**
 * The name of the non-public range an IP address falls in (`loopback`, `link-local`, `private`,
 * `unspecified`, `CGNAT`, `multicast`, `reserved`), or undefined for a public address. Anything that
 * is not an IP address counts as `unspecified`, so it is refused too.
 */
export function blockedRange(address: string): string | undefined {
  const bare = address.replace(/%.*$/, '');
  if (isIP(bare) === 4) return ipv4Range(ipv4(bare));
  const words = isIP(bare) === 6 ? ipv6Words(bare) : undefined;
  if (words === undefined) return 'unspecified';
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const embedded = ((w6 << 16) | w7) >>> 0;
  const upperZero = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  if (upperZero && w5 === 0 && w6 === 0 && w7 === 0) return 'unspecified';
  if (upperZero && w5 === 0 && w6 === 0 && w7 === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): judged by a.b.c.d.
  if (upperZero && (w5 === 0xffff || w5 === 0)) return ipv4Range(embedded);
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) return ipv4Range(embedded);
  if ((w0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((w0 & 0xfe00) === 0xfc00) return 'private';
  if ((w0 & 0xff00) === 0xff00) return 'multicast';
  return undefined;
}

function ipv4Range(value: number): string | undefined {
  for (const [base, prefix, name] of ipv4Ranges) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    if (((value & mask) >>> 0) === base) return name;
  }
  return undefined;
}

function ipv4(address: string): number {
  return address.split('.').reduce((value, part) => ((value << 8) | Number(part)) >>> 0, 0);
}

/** The eight 16-bit words of a valid IPv6 address (as `isIP` accepts it). */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const value = ipv4(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(value >>> 16).toString(16)}:${(value & 0xffff).toString(16)}`;
  }
  const [head = '', tail, ...rest] = text.split('::');
  if (rest.length > 0) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((word) => Number.parseInt(word, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const missing = 8 - front.length - back.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const words = [...front, ...new Array<number>(missing).fill(0), ...back];
  return words.every((word) => Number.isInteger(word) && word >= 0 && word <= 0xffff) ? words : undefined;
}
