/**
 * A Gatehouse (served on 127.0.0.1) federated to a real oidc-provider upstream: the upstream's client
 * knows Gatehouse's /oauth2/callback and the application's own redirect URI (seed 001's third-party
 * mode), and an OpenIDConnect identity provider in Gatehouse points at it by issuer discovery.
 */
import { randomUUID } from 'node:crypto';
import type { StoreBackend } from '../../src/store/store.ts';
import { createBrowserAgent, type AgentOptions, type AgentResult, type BrowserAgent } from './browser-agent.ts';
import { createOAuthApplication, startOAuthServer, type OAuthClientApp, type OAuthServer } from './oauth-fixtures.ts';
import { recordEvents, type RecordedEvents } from './recorded-events.ts';
import { startUpstreamProvider, type UpstreamProvider, type UpstreamProviderOptions } from './upstream-provider.ts';

/** The application's own redirect URI, registered at the upstream too (the app redeems codes through the Complete-the-Login API). */
export const appUpstreamRedirectUri = 'https://app.example.com/upstream-callback';

export interface FederationFixture {
  readonly server: OAuthServer;
  readonly upstream: UpstreamProvider;
  readonly app: OAuthClientApp;
  readonly events: RecordedEvents;
  close(): Promise<void>;
  /** Creates an OpenIDConnect provider for the upstream, enabled for the application; returns its id. */
  createProvider(overrides?: Record<string, unknown>, oauth2?: Record<string, unknown>): Promise<string>;
}

export async function startFederation(backend: StoreBackend, options: { readonly upstream?: UpstreamProviderOptions; readonly gatehouse?: Parameters<typeof startOAuthServer>[1]; readonly allowPrivateNetwork?: boolean } = {}): Promise<FederationFixture> {
  const server = await startOAuthServer(backend, { ...options.gatehouse, ...(options.allowPrivateNetwork === undefined ? {} : { allowPrivateNetwork: options.allowPrivateNetwork }) });
  const upstream = await startUpstreamProvider({ ...options.upstream, redirectUris: [`${server.baseUrl}/oauth2/callback`, appUpstreamRedirectUri] });
  const app = await createOAuthApplication(server);
  const events = recordEvents(server.gatehouse.events);
  return {
    server,
    upstream,
    app,
    events,
    async close() {
      events.stop();
      await upstream.close();
      await server.close();
    },
    async createProvider(overrides = {}, oauth2 = {}) {
      const response = await server.client.createIdentityProvider('', {
        identityProvider: {
          type: 'OpenIDConnect',
          name: `Upstream ${randomUUID()}`,
          enabled: true,
          buttonText: 'Sign in with Upstream',
          oauth2: { client_id: upstream.clientId, client_secret: upstream.clientSecret, issuer: upstream.issuer, scope: 'openid email profile offline_access', ...oauth2 },
          applicationConfiguration: { [app.clientId]: { enabled: true, createRegistration: true } },
          ...overrides,
        } as never,
      });
      return response.response.identityProvider!.id!;
    },
  };
}

/** The Gatehouse authorize URL of the fixture's application, with extra parameters (idp_hint...). */
export function gatehouseAuthorizeUrl(fixture: FederationFixture, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ client_id: fixture.app.clientId, redirect_uri: fixture.app.redirectUri, response_type: 'code', scope: 'openid offline_access', state: randomUUID(), ...extra });
  return `${fixture.server.baseUrl}/oauth2/authorize?${query}`;
}

/** Walks a browser from a URL until it would reach the application's redirect URI. */
export function walkToApplication(agent: BrowserAgent, fixture: FederationFixture, url: string): Promise<AgentResult> {
  return agent.get(url, { stopAt: (next) => next.href.startsWith(fixture.app.redirectUri) });
}

/** Signs in through the upstream with idp_hint: the code the application received (throws with the hops if none). */
export async function federatedSignIn(fixture: FederationFixture, providerId: string, options: { readonly agent?: BrowserAgent; readonly account?: string } = {}): Promise<{ agent: BrowserAgent; code: string; result: AgentResult }> {
  const agent = options.agent ?? createBrowserAgent();
  if (options.account !== undefined) fixture.upstream.nextLogin(options.account);
  const result = await walkToApplication(agent, fixture, gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }));
  const code = result.stopped ? result.finalUrl.searchParams.get('code') : null;
  if (code === null) throw new Error(`no code: ${result.response.status} ${JSON.stringify(result.hops)} ${result.stopped ? '' : await result.response.text()}`);
  return { agent, code, result };
}

/**
 * A walk that goes on like a browser running the upstream's scripts: oidc-provider ends its session of the
 * previous account with an auto-submitting form before it logs another account in.
 */
export async function browse(agent: BrowserAgent, walk: Promise<AgentResult>, options: AgentOptions = {}): Promise<AgentResult> {
  let result = await walk;
  for (let step = 0; step < 3 && !result.stopped && result.response.status === 200 && /\/session\/end\/confirm/.test(result.finalUrl.href + (await result.response.clone().text())); step++) {
    result = await agent.submitForm(await result.response.text(), result.finalUrl, {}, options);
  }
  return result;
}

