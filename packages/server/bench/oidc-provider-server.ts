/**
 * `oidc-provider` (the certified Node.js OpenID provider) configured like Gatehouse's benchmark
 * application: the reference of bench/oauth.ts. Usage:
 *   BENCH_PORT=9500 [BENCH_OIDC_DATABASE_URL=postgres://...] node bench/oidc-provider-server.ts
 * Without BENCH_OIDC_DATABASE_URL the provider keeps its state in its own in-process MemoryAdapter
 * (an LRU of 1,000 entries); with it, in PostgreSQL through bench/oidc-provider-postgres-adapter.ts.
 *
 * Equivalence with Gatehouse's side (docs/performance.md, "OAuth"):
 * - one confidential client (client_secret_basic), code + refresh_token grants, PKCE S256 sent;
 * - ES256 for the ID token and for the access token, which is a JWT as Gatehouse's (resource indicators
 *   with a default resource make it a signed JWT instead of a stored opaque token);
 * - refresh tokens are Reusable (`rotateRefreshToken: false`) with a fixed 30-day lifetime and not bound
 *   to the SSO session (FusionAuth's model); codes live 30 s, access and ID tokens 1 h (Gatehouse's defaults);
 * - the ID token carries the email scope's claims (`conformIdTokenClaims: false`), as Gatehouse's does;
 * - a fixed account; the interaction (login + consent) completes without a password, so neither side
 *   hashes one during the measured round trips.
 * GET /api/status answers 200 (the readiness probe of bench/server.ts). Stops on SIGTERM.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import { oidcProviderClient as client, redirectUri } from './oauth-fixture.ts';
import { adapter, issuer, providerClass, serve } from './oidc-provider-host.ts';

/** The part of oidc-provider's API used here (the package ships no type declarations). */
interface Grant {
  addOIDCScope(scope: string): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface Provider {
  callback(): (request: http.IncomingMessage, response: http.ServerResponse) => void;
  Grant: new (properties: { accountId: string; clientId: string }) => Grant;
  interactionDetails(request: http.IncomingMessage, response: http.ServerResponse): Promise<unknown>;
  interactionFinished(request: http.IncomingMessage, response: http.ServerResponse, result: unknown, options: { mergeWithLastSubmission: boolean }): Promise<void>;
}
interface ClientLike {
  grantTypeAllowed(grantType: string): boolean;
}

const ProviderClass = await providerClass<Provider>();

const signingKey = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const provider = new ProviderClass(issuer, {
  ...(adapter === undefined ? {} : { adapter: adapter.factory }),
  clients: [
    {
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount: (_ctx: unknown, sub: string) => ({
    accountId: sub,
    claims: () => ({ sub, email: 'bench@example.com', email_verified: true }),
  }),
  // The email scope's claims go into the ID token itself, as Gatehouse (and FusionAuth) put them there.
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: false,
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => client.resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: client.resourceScope,
        audience: client.resource,
        accessTokenTTL: 3_600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  // Gatehouse issues a refresh token for offline_access; oidc-provider honours that scope only with
  // prompt=consent (an interaction on every round trip), so it issues one on every code exchange of a
  // client allowed the refresh_token grant instead, never bound to the session.
  issueRefreshToken: (_ctx: unknown, c: ClientLike) => c.grantTypeAllowed('refresh_token'),
  expiresWithSession: () => false,
  rotateRefreshToken: false,
  ttl: { AccessToken: 3_600, AuthorizationCode: 30, IdToken: 3_600, RefreshToken: 30 * 24 * 3_600, Grant: 365 * 24 * 3_600, Session: 24 * 3_600, Interaction: 600 },
});
const providerCallback = provider.callback();

/** The login and consent "pages": accept the fixed account and grant what was asked, at once. */
async function completeInteraction(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  await provider.interactionDetails(request, response);
  const grant = new provider.Grant({ accountId: client.accountId, clientId: client.clientId });
  grant.addOIDCScope('openid email');
  grant.addResourceScope(client.resource, client.resourceScope);
  const grantId = await grant.save();
  await provider.interactionFinished(request, response, { login: { accountId: client.accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

serve((request, response) => {
  if ((request.url ?? '/').startsWith('/interaction/')) {
    completeInteraction(request, response).catch((error: unknown) => {
      console.error(error);
      if (!response.headersSent) response.writeHead(500).end();
    });
    return;
  }
  providerCallback(request, response);
});
