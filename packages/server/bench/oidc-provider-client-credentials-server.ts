/**
 * `oidc-provider` configured for the client credentials grant: the reference of bench/client-credentials.ts.
 *   BENCH_PORT=9500 [BENCH_OIDC_DATABASE_URL=postgres://...] node bench/oidc-provider-client-credentials-server.ts
 * Without BENCH_OIDC_DATABASE_URL the provider keeps its state in its in-process MemoryAdapter; with it, in
 * PostgreSQL through bench/oidc-provider-postgres-adapter.ts (the same adapter bench/oauth.ts uses).
 *
 * Equivalence with Gatehouse's side (docs/performance.md, "Client credentials grant"):
 * - confidential clients with client_secret_basic, the client_credentials grant only (`features.clientCredentials`);
 * - a JWT access token signed with ES256 or RS256 (2048-bit key), the resource server's format
 *   (`features.resourceIndicators`, `accessTokenFormat: 'jwt'`): the client asks for one resource and one of
 *   its scopes, as Gatehouse's entity asks for one target entity and one permission; 1 h TTL;
 * - introspection (`features.introspection`) by a second confidential client, the resource server. oidc-provider
 *   refuses to introspect JWT access tokens, so the token introspected is the opaque one it issues without a
 *   resource, stored through the adapter; Gatehouse introspects its JWT (signature, expiry, the entity).
 * GET /api/status answers 200 (the readiness probe of bench/server.ts). Stops on SIGTERM.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { oidcClientCredentials as fixture } from './client-credentials-fixture.ts';
import { adapter, issuer, providerClass, serve } from './oidc-provider-host.ts';

/** The part of oidc-provider's API used here (the package ships no type declarations). */
interface Provider {
  callback(): (request: http.IncomingMessage, response: http.ServerResponse) => void;
}

const ProviderClass = await providerClass<Provider>();

const es256 = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' };
const rs256 = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

const confidential = (clientId: string) => ({
  client_id: clientId,
  client_secret: fixture.clientSecret,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new ProviderClass(issuer, {
  ...(adapter === undefined ? {} : { adapter: adapter.factory }),
  clients: [confidential(fixture.es256ClientId), confidential(fixture.rs256ClientId), confidential(fixture.resourceServerClientId)],
  jwks: { keys: [es256, rs256] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // The resource server introspects tokens issued to other (confidential) clients: oidc-provider's default rule, stated.
    introspection: { enabled: true, allowedPolicy: (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod !== 'none' },
    resourceIndicators: {
      enabled: true,
      // No resource: an opaque token (the introspection case); a resource: a JWT signed with its algorithm.
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, resource: string) => ({
        scope: fixture.resourceScopes,
        audience: resource,
        accessTokenTTL: 3_600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: resource === fixture.rs256Resource ? 'RS256' : 'ES256' } },
      }),
    },
  },
  ttl: { ClientCredentials: 3_600 },
});
serve(provider.callback());
