import type { FastifyInstance } from 'fastify';
import type { EventBus } from '../events/event-bus.ts';
import type { Upstreams } from '../federation/upstreams.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { SigningKeys } from '../keys/signing-keys.ts';
import type { Store } from '../store/store.ts';
import type { SettingsCache } from '../tenancy/settings-cache.ts';
import type { LinkAccessTokens } from '../vault/link-access-tokens.ts';
import { registerToken } from './endpoints/token.ts';
import { registerDeviceAuthorize } from './endpoints/device-authorize.ts';
import { registerDiscovery } from './endpoints/discovery.ts';
import { registerIntrospect } from './endpoints/introspect.ts';
import { registerRevoke } from './endpoints/revoke.ts';
import { registrationEndpoints } from './endpoints/register.ts';
import { registerUserinfo } from './endpoints/userinfo.ts';
import { createAccessTokenVerifier } from './tokens/access-token-verifier.ts';
import { hostedEndpoints } from './authorization/hosted-endpoints.ts';
import type { HostedPages } from './authorization/hosted-pages.ts';

export interface OAuthRoutesDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  /** Applications and tenants cached for the hot paths (see tenancy/settings-cache.ts). */
  readonly settings: SettingsCache;
  readonly now: () => number;
  /** The hosted login, consent, error and logout pages (rendered by src/ui). */
  readonly pages: HostedPages;
  /** Where sign-ins are announced (src/events). */
  readonly events: EventBus;
  readonly upstreams: Upstreams;
  /** The hub's vault: token exchange hands out upstream access tokens through it. */
  readonly linkTokens: LinkAccessTokens;
}

/**
 * The authorization server's endpoints (FusionAuth's paths: /oauth2/*, discovery under /.well-known),
 * each in its own file under endpoints/. Errors under /oauth2/ render as RFC 6749 errors (see
 * http/error-handler.ts); the hosted pages render their own error page.
 */
export async function oauthRoutes(app: FastifyInstance, deps: OAuthRoutesDeps): Promise<void> {
  const accessTokens = createAccessTokenVerifier(deps);
  registerToken(app, { ...deps, accessTokens });
  registerDeviceAuthorize(app, deps);
  registerUserinfo(app, { accessTokens });
  registerIntrospect(app, { ...deps, accessTokens });
  registerRevoke(app, { ...deps, accessTokens });
  registerDiscovery(app, deps);
  await app.register(registrationEndpoints, deps);
  await app.register(hostedEndpoints, deps);
}
