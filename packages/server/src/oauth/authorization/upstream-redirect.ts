import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { startUpstreamAuthorization, upstreamRedirectUrl } from '../../federation/upstream-authorization.ts';
import { enabledForApplication, upstreamClient, upstreamEndpoints } from '../../federation/upstream-client.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { IdentityProvider } from '../../store/repositories/identity-provider-repository.ts';
import type { AuthorizationDeps } from './authorization-flow.ts';
import type { AuthorizationRequest } from './authorization-request.ts';
import { cookieOptions } from './cookies.ts';
import type { ProviderButton } from './hosted-pages.ts';
import { sendPage } from './hosted-reply.ts';

/** The redirect URI registered at every upstream, as with FusionAuth. */
export const callbackPath = '/oauth2/callback';

/** The identity provider types with a browser flow (ExternalJWT has none: its JWTs come through the API). */
export const browserTypes: ReadonlySet<string> = new Set(['OpenIDConnect', 'Google']);

const bindingSyntax = /^[A-Za-z0-9_-]{43}$/;

/**
 * The cookie that binds upstream authorization requests to the browser that started them (BRK-01). One
 * random value per browser serves every request it starts (several tabs at once); the store keeps only
 * its hash per request. HttpOnly, SameSite=Lax: the upstream's redirect back is a top-level GET, which
 * carries it.
 */
export function bindingCookieName(request: FastifyRequest): string {
  return request.protocol === 'https' ? '__Host-gatehouse_upstream' : 'gatehouse_upstream';
}

export function browserBinding(request: FastifyRequest): string | undefined {
  const value = request.cookies[bindingCookieName(request)];
  return value !== undefined && bindingSyntax.test(value) ? value : undefined;
}

/** The enabled browser-flow providers of an application, in name order. */
export async function browserProviders(deps: Pick<AuthorizationDeps, 'store'>, applicationId: string): Promise<IdentityProvider[]> {
  const providers = await deps.store.repositories.identityProviders.list();
  return providers.filter((provider) => browserTypes.has(provider.type) && enabledForApplication(provider, applicationId)).sort((a, b) => a.name.localeCompare(b.name));
}

/** One login-page button per provider: a same-origin link that repeats the request with its idp_hint. */
export function providerButtons(providers: readonly IdentityProvider[], authorization: AuthorizationRequest): ProviderButton[] {
  return providers.map((provider) => {
    const query = new URLSearchParams([...authorization.carried].filter(([name]) => name !== 'idp_hint'));
    query.set('idp_hint', provider.id);
    const configured = (provider.settings['applicationConfiguration'] as Record<string, { buttonText?: string }> | undefined)?.[authorization.application.id]?.buttonText;
    const text = configured ?? (typeof provider.settings['buttonText'] === 'string' ? provider.settings['buttonText'] : `Sign in with ${provider.name}`);
    return { text, imageUrl: undefined, href: `/oauth2/authorize?${query.toString()}` };
  });
}

/** The enabled provider managing the domain of an e-mail address, for the login page's managed-domain redirect. */
export function managingProvider(providers: readonly IdentityProvider[], loginId: string | undefined): IdentityProvider | undefined {
  if (loginId === undefined || !loginId.includes('@')) return undefined;
  const domain = loginId.slice(loginId.lastIndexOf('@') + 1).trim().toLowerCase();
  return providers.find((provider) => Array.isArray(provider.settings['domains']) && (provider.settings['domains'] as unknown[]).includes(domain));
}

/**
 * Sends the browser to the upstream provider with a fresh state, nonce and PKCE challenge (BRK-06); the
 * Gatehouse request resumes at /oauth2/callback. `connect` links the upstream account to the signed-in
 * user instead of signing in (docs/hub.md). Throws the upstream's failures (discovery unreachable): the
 * caller shows them.
 */
export function redirectToUpstream(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  provider: IdentityProvider,
  loginHint: string | undefined,
  connect?: { readonly userId: string },
): Promise<FastifyReply> {
  return sendToUpstream(deps, request, reply, {
    provider,
    tenantId: authorization.tenant.id,
    application: authorization.application,
    // The request resumes without its idp_hint: once back, it must not go upstream again.
    resume: [...authorization.carried].filter(([name]) => name !== 'idp_hint'),
    loginHint,
    scope: undefined,
    connect: connect === undefined ? undefined : { userId: connect.userId, returnTo: undefined },
  });
}

/** Where an upstream authorization starts from: an authorization request, or the connections page (no application). */
export interface UpstreamDeparture {
  readonly provider: IdentityProvider;
  readonly tenantId: string;
  readonly application: Application | undefined;
  readonly resume: readonly (readonly [string, string])[];
  readonly loginHint: string | undefined;
  readonly scope: string | undefined;
  readonly connect: { readonly userId: string; readonly returnTo: string | undefined } | undefined;
}

/** Stores the upstream authorization and sends the browser there (a GET redirect, or the provider's POST form). */
export async function sendToUpstream(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, departure: UpstreamDeparture): Promise<FastifyReply> {
  const client = upstreamClient(deps.keyRing, departure.provider);
  const endpoints = await upstreamEndpoints(client, deps.upstreams.metadata);
  let binding = browserBinding(request);
  if (binding === undefined) {
    binding = randomBytes(32).toString('base64url');
    reply.setCookie(bindingCookieName(request), binding, cookieOptions(request));
  }
  const redirect = await startUpstreamAuthorization(
    deps.store.repositories,
    deps.keyRing,
    {
      client,
      endpoints,
      tenantId: departure.tenantId,
      applicationId: departure.application?.id,
      redirectUri: `${request.baseUrl}${callbackPath}`,
      browserBinding: binding,
      resume: departure.resume,
      loginHint: departure.loginHint,
      scope: departure.scope,
      connect: departure.connect,
    },
    deps.now(),
  );
  if (redirect.post) {
    const page = deps.pages.formPost({ tenantId: departure.tenantId, action: redirect.endpoint, fields: redirect.parameters });
    return sendPage(reply, page, { application: departure.application, formTargets: [redirect.endpoint] });
  }
  return reply.header('cache-control', 'no-store').redirect(upstreamRedirectUrl(redirect), 302);
}
