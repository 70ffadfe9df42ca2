/**
 * federation-fixtures.ts for a Gatehouse that runs as its own process (spawn-gatehouse.ts, a cluster, a
 * benchmark): everything goes over HTTP — the management API with an API key, the hosted sign-in with
 * the browser agent — so the user ends up with a real link holding the upstream's real tokens.
 */
import { randomUUID } from 'node:crypto';
import { createBrowserAgent } from './browser-agent.ts';
import type { UpstreamProvider } from './upstream-provider.ts';

/** A running Gatehouse reached over HTTP and an unrestricted API key of it. */
export interface GatehouseTarget {
  readonly baseUrl: string;
  readonly apiKey: string;
}

export interface UpstreamLink {
  readonly applicationId: string;
  readonly identityProviderId: string;
  readonly userId: string;
  readonly identityProviderUserId: string;
}

const appRedirectUri = 'https://app.example.com/callback';

async function call(target: GatehouseTarget, method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  const response = await fetch(`${target.baseUrl}${path}`, {
    method,
    headers: { authorization: target.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, any>;
}

/**
 * Creates an application and an OpenIDConnect provider pointing at `upstream` (offline_access, so the
 * link gets a refresh token), registers Gatehouse's callback at the upstream, and signs `account` in
 * through Gatehouse's hosted flow with idp_hint: the user and the link it left.
 */
export async function linkUpstreamAccount(target: GatehouseTarget, upstream: UpstreamProvider, options: { readonly account?: string } = {}): Promise<UpstreamLink> {
  upstream.addRedirectUri(`${target.baseUrl}/oauth2/callback`);
  const { application } = await call(target, 'POST', '/api/application', {
    application: { name: `Linked app ${randomUUID()}`, oauthConfiguration: { authorizedRedirectURLs: [appRedirectUri], enabledGrants: ['authorization_code', 'refresh_token'], generateRefreshTokens: true } },
  });
  const { identityProvider } = await call(target, 'POST', '/api/identity-provider', {
    identityProvider: {
      type: 'OpenIDConnect',
      name: `Upstream ${randomUUID()}`,
      enabled: true,
      buttonText: 'Sign in with Upstream',
      oauth2: { client_id: upstream.clientId, client_secret: upstream.clientSecret, issuer: upstream.issuer, scope: 'openid email profile offline_access' },
      applicationConfiguration: { [application.id]: { enabled: true, createRegistration: true } },
    },
  });
  const account = options.account ?? upstream.accounts[0]!.sub;
  upstream.nextLogin(account);
  const query = new URLSearchParams({ client_id: application.id, redirect_uri: appRedirectUri, response_type: 'code', scope: 'openid offline_access', state: randomUUID(), idp_hint: identityProvider.id });
  const result = await createBrowserAgent().get(`${target.baseUrl}/oauth2/authorize?${query}`, { stopAt: (next) => next.href.startsWith(appRedirectUri) });
  if (!result.stopped || result.finalUrl.searchParams.get('code') === null) {
    throw new Error(`the federated sign-in did not reach the application: ${result.response.status} ${JSON.stringify(result.hops)}`);
  }
  const { identityProviderLink: link } = await call(target, 'GET', `/api/identity-provider/link?${new URLSearchParams({ identityProviderId: identityProvider.id, identityProviderUserId: account })}`);
  return { applicationId: application.id, identityProviderId: identityProvider.id, userId: link.userId, identityProviderUserId: account };
}

/** The URL of the hub's fresh-token call for a link. */
export function linkTokenUrl(baseUrl: string, link: UpstreamLink, extra: Record<string, string> = {}): string {
  return `${baseUrl}/api/identity-provider/link/token?${new URLSearchParams({ userId: link.userId, identityProviderId: link.identityProviderId, ...extra })}`;
}
