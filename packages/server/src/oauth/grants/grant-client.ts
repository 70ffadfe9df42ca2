import { OAuthError } from '../../errors/oauth-error.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { GrantType } from '../../tenancy/application-settings.ts';
import { authenticateClient, type AuthenticatedClient } from '../client-auth/authenticate-client.ts';
import type { TokenGrantDeps, TokenRequest } from './token-grant.ts';

/**
 * The application a user grant's request comes from: its credentials checked when sent (a wrong secret
 * is 401 invalid_client), then the grant must be one the application enables (FusionAuth's
 * `grant_type_disabled`). Whether credentials were required is the grant's own call, through
 * requireClientAuthentication, because for authorization_code it depends on PKCE.
 */
export async function applicationClient(deps: TokenGrantDeps, request: TokenRequest, grantType: GrantType): Promise<AuthenticatedClient> {
  const client = await authenticateClient(deps, request.parameters, request.authorization);
  if (!client.application.settings.oauthConfiguration.enabledGrants.includes(grantType)) {
    throw new OAuthError('unauthorized_client', `The ${grantType} grant is not enabled for this application.`, 400, { reason: 'grant_type_disabled' });
  }
  return client;
}

function existing(tenant: Tenant | undefined): Tenant {
  // Tenants cascade to their applications, so this only happens in a race with a tenant delete.
  if (tenant === undefined) throw new OAuthError('invalid_client', 'The client could not be authenticated.', 401, { reason: 'invalid_client_id' });
  return tenant;
}

/** The application's tenant: its issuer and JWT settings shape the tokens. */
export async function clientTenant(repositories: Pick<Repositories, 'tenants'>, client: AuthenticatedClient): Promise<Tenant> {
  return existing(await repositories.tenants.find(client.application.tenantId));
}

/** clientTenant through the settings cache when the endpoint has one (the hot paths). */
export async function cachedClientTenant(deps: TokenGrantDeps, client: AuthenticatedClient): Promise<Tenant> {
  const id = client.application.tenantId;
  return existing(await (deps.settings !== undefined ? deps.settings.tenant(id) : deps.store.repositories.tenants.find(id)));
}
