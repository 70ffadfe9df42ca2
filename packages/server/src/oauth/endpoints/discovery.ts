import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { keyAlgorithmNames, keyAlgorithms } from '../../keys/key-algorithms.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { Store } from '../../store/store.ts';
import { openIdScopes } from '../scopes/requested-scopes.ts';
import { issuerFor } from '../tokens/issuer.ts';

export interface DiscoveryDeps {
  readonly store: Store;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const clientAuthenticationMethods = ['client_secret_basic', 'client_secret_post', 'none'];

/**
 * Asymmetric algorithms only: an HMAC-signed ID token could only be checked with Gatehouse's own secret,
 * which no client holds (FusionAuth lists HS256-512 anyway).
 */
const signingAlgorithms = keyAlgorithmNames.filter((algorithm) => keyAlgorithms[algorithm].type !== 'HMAC');

/** Every claim a token or UserInfo may carry (id-token.ts, access-token.ts, scope-claims.ts). */
const claims = [
  'iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'jti', 'nonce', 'at_hash', 'c_hash', 'sid', 'tid', 'authenticationType',
  'scope', 'applicationId', 'roles',
  'name', 'given_name', 'middle_name', 'family_name', 'birthdate', 'picture', 'preferred_username', 'zoneinfo', 'locale', 'updated_at',
  'email', 'email_verified', 'phone_number', 'phone_number_verified',
];

/**
 * OpenID Provider Metadata (OIDC Discovery §3), also served as RFC 8414 Authorization Server Metadata:
 * exactly what Gatehouse implements. Endpoints hang off the server's public URL, whatever the tenant's
 * issuer; defaults that would claim too much are stated (request_uri_parameter_supported defaults to true).
 */
export function providerMetadata(issuer: string, baseUrl: string) {
  return {
    issuer,
    authorization_endpoint: `${baseUrl}/oauth2/authorize`,
    token_endpoint: `${baseUrl}/oauth2/token`,
    userinfo_endpoint: `${baseUrl}/oauth2/userinfo`,
    end_session_endpoint: `${baseUrl}/oauth2/logout`,
    introspection_endpoint: `${baseUrl}/oauth2/introspect`,
    revocation_endpoint: `${baseUrl}/oauth2/revoke`,
    device_authorization_endpoint: `${baseUrl}/oauth2/device_authorize`,
    registration_endpoint: `${baseUrl}/oauth2/register`,
    jwks_uri: `${baseUrl}/.well-known/jwks.json`,
    scopes_supported: [...openIdScopes],
    response_types_supported: ['code', 'token', 'id_token', 'id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'implicit', 'password', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: signingAlgorithms,
    token_endpoint_auth_methods_supported: clientAuthenticationMethods,
    introspection_endpoint_auth_methods_supported: clientAuthenticationMethods,
    revocation_endpoint_auth_methods_supported: clientAuthenticationMethods,
    code_challenge_methods_supported: ['S256'],
    prompt_values_supported: ['none', 'login', 'consent'],
    claim_types_supported: ['normal'],
    claims_supported: claims,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    frontchannel_logout_supported: false,
    backchannel_logout_supported: false,
  };
}

/** The tenant a discovery request names (path or `?tenantId=`), else the default tenant; 404 when none. */
async function tenantOf(store: Store, tenantId: unknown): Promise<Tenant> {
  let id: string | undefined;
  if (tenantId === undefined) id = (await store.repositories.instance.find())?.defaultTenantId;
  else if (typeof tenantId === 'string' && uuid.test(tenantId)) id = tenantId.toLowerCase();
  const tenant = id === undefined ? undefined : await store.repositories.tenants.find(id);
  if (tenant === undefined) throw ApiError.notFound();
  return tenant;
}

type DiscoveryRequest = FastifyRequest<{ Params: { tenantId?: string }; Querystring: { tenantId?: unknown } }>;

/**
 * GET /.well-known/openid-configuration (default tenant, or `?tenantId=`) and
 * /{tenantId}/.well-known/openid-configuration (FusionAuth 1.46): a tenant whose issuer is
 * `<public URL>/<tenantId>` is found where OIDC Discovery §4 looks, `<issuer>/.well-known/...`. RFC 8414
 * clients insert the well-known segment before the path instead (§3.1):
 * /.well-known/oauth-authorization-server[/{tenantId}]. Public, cacheable, readable from any origin.
 */
export function registerDiscovery(app: FastifyInstance, deps: DiscoveryDeps): void {
  const handler = async (request: DiscoveryRequest, reply: FastifyReply) => {
    const tenant = await tenantOf(deps.store, request.params.tenantId ?? request.query.tenantId);
    return reply
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .send(providerMetadata(issuerFor(tenant.settings, request), request.baseUrl));
  };
  const tenantPath = { schema: { params: { type: 'object', properties: { tenantId: { type: 'string' } }, required: ['tenantId'] } } };
  app.get('/.well-known/openid-configuration', handler);
  app.get('/:tenantId/.well-known/openid-configuration', tenantPath, handler);
  app.get('/.well-known/oauth-authorization-server', handler);
  app.get('/.well-known/oauth-authorization-server/:tenantId', tenantPath, handler);
}
