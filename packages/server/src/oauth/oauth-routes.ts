import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '../keys/key-ring.ts';
import type { SigningKeys } from '../keys/signing-keys.ts';
import type { Store } from '../store/store.ts';

export interface OAuthRoutesDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  readonly now: () => number;
}

/**
 * The authorization server's endpoints (FusionAuth's paths: /oauth2/*, discovery under /.well-known),
 * each in its own file under endpoints/. Errors under /oauth2/ render as RFC 6749 errors (see
 * http/error-handler.ts); the hosted pages render their own error page.
 */
export async function oauthRoutes(app: FastifyInstance, deps: OAuthRoutesDeps): Promise<void> {
  void app;
  void deps;
}
