/**
 * The relying party of bench/oauth.ts: keep-alive HTTP, a cookie jar for the SSO session, PKCE, and the
 * authorization-code round trip (GET authorize with the session cookie → redirect with a code → POST
 * token with Basic client authentication and the code verifier), the same for both servers.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { redirectUri } from './oauth-fixture.ts';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on `agent` (keep-alive), the whole body read. */
export function send(agent: http.Agent, method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.setTimeout(30_000, () => request.destroy(new Error(`${method} ${url}: no answer within 30 s`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** Cookies by name, for one origin: enough for the two servers' session and interaction cookies. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(answer: HttpAnswer): void {
    for (const line of answer.headers['set-cookie'] ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const name = pair.slice(0, separator).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(separator + 1).trim());
    }
  }

  header(): Record<string, string> {
    return this.#cookies.size === 0 ? {} : { cookie: [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
  }

  names(): string[] {
    return [...this.#cookies.keys()];
  }
}

/** What a round trip needs to know about one server. */
export interface OAuthSide {
  readonly authorizeEndpoint: string;
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  /** Holds the SSO session once `establishSession` has run. */
  readonly jar: CookieJar;
}

export function basicAuthorization(side: Pick<OAuthSide, 'clientId' | 'clientSecret'>): string {
  // RFC 6749 §2.3.1: form-urlencode id and secret before base64.
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(side.clientId)}:${encode(side.clientSecret)}`).toString('base64')}`;
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(side: OAuthSide, pkce: Pkce, state: string): string {
  const query = new URLSearchParams({
    client_id: side.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: side.scope,
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  return `${side.authorizeEndpoint}?${query}`;
}

/** The code from a redirect to the registered callback, after checking its state; undefined for any other location. */
export function codeFromCallback(location: string | undefined, state: string): string | undefined {
  if (location === undefined || !location.startsWith(redirectUri)) return undefined;
  const query = new URL(location).searchParams;
  if (query.get('error') !== null) throw new Error(`authorization error: ${query.get('error')} ${query.get('error_description') ?? ''}`);
  if (query.get('state') !== state) throw new Error(`state mismatch in ${location}`);
  const code = query.get('code');
  if (code === null) throw new Error(`no code in ${location}`);
  return code;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly id_token?: string;
  readonly refresh_token?: string;
  readonly token_type: string;
}

function tokenRequest(agent: http.Agent, side: OAuthSide, body: URLSearchParams): Promise<HttpAnswer> {
  return send(agent, 'POST', side.tokenEndpoint, { authorization: basicAuthorization(side), 'content-type': 'application/x-www-form-urlencoded' }, body.toString());
}

export function codeExchangeBody(code: string, pkce: Pkce): URLSearchParams {
  return new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: pkce.verifier });
}

export function refreshBody(refreshToken: string): string {
  return new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString();
}

export interface RoundTrip {
  /** Milliseconds, high resolution: the authorize leg, the token leg, both. */
  readonly authorizeMs: number;
  readonly tokenMs: number;
  readonly totalMs: number;
  readonly tokens: TokenResponse;
}

/**
 * One authorization-code round trip on an established session: GET authorize (must redirect straight to
 * the callback: no login, no consent) and POST token. Throws on anything else.
 */
export async function roundTrip(agent: http.Agent, side: OAuthSide): Promise<RoundTrip> {
  const pkce = newPkce();
  const state = randomBytes(9).toString('base64url');
  const startedAt = performance.now();
  const authorization = await send(agent, 'GET', authorizeUrl(side, pkce, state), side.jar.header());
  const authorizedAt = performance.now();
  side.jar.store(authorization);
  const code = codeFromCallback(authorization.headers.location, state);
  if (code === undefined) throw new Error(`authorize answered ${authorization.status} ${authorization.headers.location ?? authorization.body.slice(0, 300)} instead of a redirect with a code`);
  const token = await tokenRequest(agent, side, codeExchangeBody(code, pkce));
  const doneAt = performance.now();
  if (token.status !== 200) throw new Error(`token endpoint answered ${token.status}: ${token.body.slice(0, 300)}`);
  return { authorizeMs: authorizedAt - startedAt, tokenMs: doneAt - authorizedAt, totalMs: doneAt - startedAt, tokens: JSON.parse(token.body) as TokenResponse };
}

/** A refresh_token grant, for checking a token before loading the endpoint with it. */
export async function refresh(agent: http.Agent, side: OAuthSide, refreshToken: string): Promise<TokenResponse> {
  const answer = await tokenRequest(agent, side, new URLSearchParams(refreshBody(refreshToken)));
  if (answer.status !== 200) throw new Error(`refresh answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as TokenResponse;
}

/** The JOSE header of a compact JWS. */
export function jwsHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
