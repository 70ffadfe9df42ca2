/**
 * A real `oidc-provider` (v9) upstream in-process on 127.0.0.1 (a random port), with one static
 * confidential client, an ES256 signing key the test knows (so tests can sign ID tokens the upstream's
 * JWKS verifies) and a browserless login: the interaction URL is served here and completed at once.
 *
 * What the upstream does, so tests can rely on it:
 * - Login: `/interaction/:uid` logs in the account queued by `nextLogin(sub)`, else the account named by
 *   the authorize request's `login_hint` (sub or email), else the first account; it grants every
 *   requested scope and claim, so consent never blocks. `nextLoginError(code)` makes the next
 *   interaction end in an authorization error response instead (with `state` and `iss`).
 * - PKCE S256 is required for every authorization code request (oidc-provider's own default requires it
 *   only for public clients and FAPI 2.0; `pkceRequired: false` restores that).
 * - RFC 9207: oidc-provider v9 has no switch for it — every authorization response (success and error)
 *   carries `iss` unless it holds an ID token or is JARM, and discovery advertises
 *   `authorization_response_iss_parameter_supported: true`.
 * - Refresh tokens are issued when the grant holds `offline_access`. oidc-provider drops
 *   `offline_access` from a request unless it also carries `prompt=consent` (and response_type code),
 *   so a request wanting a refresh token must send `scope=... offline_access` and `prompt=consent`.
 *   Refresh tokens rotate on every use (`rotateRefreshToken: true`; oidc-provider's default rotates
 *   only for public clients or after 70% of the token's lifetime passed).
 * - The token endpoint only accepts the registered `tokenEndpointAuthMethod` (oidc-provider itself takes
 *   basic and post interchangeably; the wrapper answers 401 invalid_client to the other one).
 * - Email/profile claims come from userinfo only (`conformIdTokenClaims` default) unless
 *   `claimsInIdToken: true` puts them in the ID token too.
 *
 * `publishKeys` replaces the served JWKS (key rotation); `requests` counts requests per path.
 * `holdTokenRequests` / `holdTokenResponses` open the two windows of a refresh a crash can fall into:
 * before the upstream redeemed the refresh token, and after it did but before the caller heard back.
 * The client is static in oidc-provider, so `addRedirectUri` rebuilds the provider with the same keys;
 * the memory adapter's storage is process-wide, so sessions, grants and codes survive the rebuild.
 * Close it with `close()` (or `await using`).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** An account the upstream knows; absent claims are simply not released. */
export interface UpstreamAccount {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly preferred_username?: string;
}

export interface UpstreamProviderOptions {
  /** The accounts the upstream can log in; defaults to `defaultUpstreamAccounts`. */
  readonly accounts?: readonly UpstreamAccount[];
  /** Redirect URIs registered for the client besides `redirectUri`. */
  readonly redirectUris?: readonly string[];
  readonly tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Release scope claims (email, profile) in the ID token too (`conformIdTokenClaims: false`). */
  readonly claimsInIdToken?: boolean;
  /** Require PKCE S256 from the confidential client too (default true). */
  readonly pkceRequired?: boolean;
  /**
   * Accept POST at the authorization endpoint (FusionAuth's postRequest). oidc-provider v9 serves only GET
   * there unless `enableHttpPostMethods`, which in turn requires its long-lived cookies to be SameSite=None.
   */
  readonly httpPostMethods?: boolean;
  /** Lifetime of issued access tokens (oidc-provider's default is an hour); short for vault expiry tests. */
  readonly accessTokenTtlSeconds?: number;
  /** Serve RFC 7009 revocation at `/token/revocation` (advertised as `revocation_endpoint`); off by default as in oidc-provider. */
  readonly revocation?: boolean;
}

export interface UpstreamProvider extends AsyncDisposable {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The first registered redirect URI (a placeholder port; register real ones with `redirectUris`). */
  readonly redirectUri: string;
  readonly accounts: readonly UpstreamAccount[];
  /** The private signing key the provider publishes (its public half) and signs with. */
  readonly signingKey: JWK & { kid: string };
  /** Requests per path (without query) since start. */
  readonly requests: Map<string, number>;
  /** Requests to the token endpoint since start. */
  readonly tokenRequests: number;
  /** Serve these keys at the JWKS URI instead of the provider's own; undefined restores them. */
  publishKeys(keys: readonly JWK[] | undefined): void;
  /**
   * Queue the account the next interaction logs in (throws for an unknown sub). Only an interaction
   * consumes it: with each fresh agent (no upstream session) or `prompt=consent`/`login` there always is one.
   */
  nextLogin(sub: string): void;
  /** Queue an authorization error (e.g. 'access_denied') as the next interaction's outcome. */
  nextLoginError(error: string, description?: string): void;
  /**
   * Make the token endpoint fail: every request answers this HTTP status (503, 500...) or, with `hang`,
   * never answers (until `close`); undefined restores it. Failed requests count in `tokenRequests`.
   */
  failTokenRequests(failure: number | 'hang' | undefined): void;
  /**
   * Hold each token request arriving from now on for `ms` BEFORE oidc-provider sees it; a request whose
   * client disconnected meanwhile is dropped unprocessed (its refresh token is never redeemed) and counted
   * in `droppedTokenRequests`. Undefined stops holding new requests (held ones wait out their time).
   */
  holdTokenRequests(ms: number | undefined): void;
  /** Token requests dropped by `holdTokenRequests` because their client had gone. */
  readonly droppedTokenRequests: number;
  /**
   * Hold each token response for `ms` AFTER oidc-provider processed the request (a refresh token is
   * redeemed and rotated already), then send it — into the void if the client has gone. Undefined stops.
   */
  holdTokenResponses(ms: number | undefined): void;
  /** Token responses held by `holdTokenResponses` so far (the request was processed when this grows). */
  readonly heldTokenResponses: number;
  /** Register one more redirect URI for the client (rebuilds the provider). */
  addRedirectUri(uri: string): void;
  close(): Promise<void>;
}

export const defaultUpstreamAccounts: readonly UpstreamAccount[] = [
  { sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice Upstream', preferred_username: 'alice' },
  { sub: 'bob', email: 'bob@example.com', email_verified: false, name: 'Bob Upstream', preferred_username: 'bob' },
  { sub: 'carol', name: 'Carol Upstream', preferred_username: 'carol' },
];

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: readonly string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}

interface Interaction {
  readonly grantId?: string;
  readonly params: Record<string, unknown>;
  readonly prompt: { readonly details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> } };
}

interface Provider {
  callback(): Handler;
  interactionDetails(request: http.IncomingMessage, response: http.ServerResponse): Promise<Interaction>;
  interactionFinished(request: http.IncomingMessage, response: http.ServerResponse, result: object, options: { mergeWithLastSubmission: boolean }): Promise<void>;
  readonly Grant: { new (properties: { accountId: string; clientId: string }): Grant; find(id: string): Promise<(Grant & { accountId: string }) | undefined> };
}

type ProviderClass = new (issuer: string, configuration: object) => Provider;
type Outcome = { readonly sub: string } | { readonly error: string; readonly description: string };

const moduleName = 'oidc-provider'; // the package ships no type declarations

export function generateSigningKey(kid: string): JWK & { kid: string } {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { ...jwk, kid, alg: 'ES256', use: 'sig' } as JWK & { kid: string };
}

export function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

export async function startUpstreamProvider(options: UpstreamProviderOptions = {}): Promise<UpstreamProvider> {
  const ProviderClass = ((await import(moduleName)) as { default: ProviderClass }).default;
  const accounts = options.accounts ?? defaultUpstreamAccounts;
  if (accounts.length === 0) throw new Error('the upstream needs at least one account');
  const authMethod = options.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const requests = new Map<string, number>();
  const outcomes: Outcome[] = [];
  let published: readonly JWK[] | undefined;
  let tokenFailure: number | 'hang' | undefined;
  let requestHoldMs: number | undefined;
  let responseHoldMs: number | undefined;
  let droppedTokenRequests = 0;
  let heldTokenResponses = 0;
  const holdTimers = new Set<NodeJS.Timeout>();
  const later = (ms: number, work: () => void) => {
    const timer = setTimeout(() => {
      holdTimers.delete(timer);
      work();
    }, ms);
    holdTimers.add(timer);
  };
  let provider: Provider | undefined;
  let handle: Handler = (_request, response) => response.writeHead(503).end();

  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (path === '/jwks' && published !== undefined) {
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }));
      return;
    }
    if (path.startsWith('/interaction/') && request.method === 'GET' && provider !== undefined) {
      completeInteraction(provider, accounts, outcomes.shift(), request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      return;
    }
    if (path === '/token' && tokenFailure !== undefined) {
      if (tokenFailure !== 'hang') response.writeHead(tokenFailure, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'temporarily_unavailable' }));
      return;
    }
    if (path === '/token' && request.method === 'POST' && /^basic /i.test(request.headers.authorization ?? '') !== (authMethod === 'client_secret_basic')) {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client', error_description: `the client authenticates with ${authMethod}` }));
      return;
    }
    if (path === '/token' && responseHoldMs !== undefined) holdResponse(response, responseHoldMs);
    if (path === '/token' && requestHoldMs !== undefined) {
      // The client's socket ending or closing is the only sign of a caller that died mid-request.
      let gone = false;
      const leave = () => (gone = true);
      request.socket.once('end', leave).once('close', leave);
      later(requestHoldMs, () => {
        request.socket.off('end', leave).off('close', leave);
        if (gone || request.socket.destroyed) {
          droppedTokenRequests += 1;
          request.socket.destroy();
          return;
        }
        handle(request, response);
      });
      return;
    }
    handle(request, response);
  });
  /** Delays the (single) end() oidc-provider's Koa answers with: the status and headers go with it. */
  const holdResponse = (response: http.ServerResponse, ms: number) => {
    const end = response.end.bind(response) as (...args: unknown[]) => http.ServerResponse;
    response.end = ((...args: unknown[]) => {
      heldTokenResponses += 1;
      later(ms, () => end(...args));
      return response;
    }) as typeof response.end;
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateSigningKey('upstream-es256');
  const clientId = 'gatehouse-upstream-client';
  const clientSecret = randomBytes(24).toString('base64url');
  const redirectUri = 'http://127.0.0.1:9011/oauth2/callback';
  const redirectUris = [redirectUri, ...(options.redirectUris ?? [])];
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const build = () => {
    provider = new ProviderClass(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [...new Set(redirectUris)],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: authMethod,
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: [signingKey] },
      cookies: options.httpPostMethods === true ? { keys: cookieKeys, long: { sameSite: 'none' } } : { keys: cookieKeys },
      enableHttpPostMethods: options.httpPostMethods === true,
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
      conformIdTokenClaims: options.claimsInIdToken !== true,
      findAccount: (_ctx: unknown, sub: string) => {
        const account = accounts.find((candidate) => candidate.sub === sub);
        return account === undefined ? undefined : { accountId: sub, claims: async () => ({ ...account }) };
      },
      // The interaction URL is oidc-provider's default, stated because the server above serves it.
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }, source: { scopes: Set<string> }) =>
        client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access'),
      rotateRefreshToken: true,
      ...(options.accessTokenTtlSeconds === undefined ? {} : { ttl: { AccessToken: options.accessTokenTtlSeconds } }),
      pkce: { required: () => options.pkceRequired !== false },
      features: { devInteractions: { enabled: false }, revocation: { enabled: options.revocation === true } },
    });
    handle = provider.callback();
  };
  build();

  const close = async () => {
    for (const timer of holdTimers) clearTimeout(timer);
    holdTimers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    issuer,
    clientId,
    clientSecret,
    redirectUri,
    accounts,
    signingKey,
    requests,
    get tokenRequests() {
      return requests.get('/token') ?? 0;
    },
    publishKeys: (keys) => {
      published = keys;
    },
    nextLogin: (sub) => {
      if (!accounts.some((account) => account.sub === sub)) throw new Error(`unknown upstream account ${sub}`);
      outcomes.push({ sub });
    },
    failTokenRequests: (failure) => {
      tokenFailure = failure;
    },
    holdTokenRequests: (ms) => {
      requestHoldMs = ms;
    },
    get droppedTokenRequests() {
      return droppedTokenRequests;
    },
    holdTokenResponses: (ms) => {
      responseHoldMs = ms;
    },
    get heldTokenResponses() {
      return heldTokenResponses;
    },
    nextLoginError: (error, description = 'The upstream refused the authorization.') => {
      outcomes.push({ error, description });
    },
    addRedirectUri: (uri) => {
      redirectUris.push(uri);
      build();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Ends an interaction as a user who logs in and consents to everything asked (or as the queued error). */
async function completeInteraction(provider: Provider, accounts: readonly UpstreamAccount[], outcome: Outcome | undefined, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const interaction = await provider.interactionDetails(request, response);
  if (outcome !== undefined && 'error' in outcome) {
    await provider.interactionFinished(request, response, { error: outcome.error, error_description: outcome.description }, { mergeWithLastSubmission: false });
    return;
  }
  const hint = typeof interaction.params['login_hint'] === 'string' ? interaction.params['login_hint'] : undefined;
  const account = (outcome === undefined ? undefined : accounts.find((candidate) => candidate.sub === outcome.sub))
    ?? accounts.find((candidate) => hint !== undefined && (candidate.sub === hint || candidate.email === hint))
    ?? accounts[0]!;
  const clientId = String(interaction.params['client_id']);
  const existing = interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId);
  const grant = existing !== undefined && existing.accountId === account.sub ? existing : new provider.Grant({ accountId: account.sub, clientId });
  const { details } = interaction.prompt;
  const scope = [...new Set([...String(interaction.params['scope'] ?? '').split(' '), ...(details.missingOIDCScope ?? [])])].filter((value) => value !== '');
  if (scope.length > 0) grant.addOIDCScope(scope.join(' '));
  if (details.missingOIDCClaims !== undefined) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(request, response, { login: { accountId: account.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
}
