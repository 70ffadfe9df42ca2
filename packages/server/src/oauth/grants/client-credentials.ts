import { OAuthError } from '../../errors/oauth-error.ts';
import type { ClientCredentialsTarget, EntityClient } from '../../store/repositories/client-credentials-repository.ts';
import { presentedCredentials } from '../client-auth/authenticate-client.ts';
import { checkEntityClient, findEntityClient, requireEntitySecret } from '../client-auth/authenticate-entity.ts';
import { parseTargetEntityScopes, type TargetEntityScope } from '../scopes/target-entity-scopes.ts';
import { signClientCredentialsToken } from '../tokens/client-credentials-token.ts';
import { issuerFor } from '../tokens/issuer.ts';
import type { TokenGrant } from './token-grant.ts';

function invalidScope(description: string, reason: string): OAuthError {
  return new OAuthError('invalid_scope', description, 400, { reason });
}

/**
 * What the client may receive on each requested target: the named permissions when it was granted every
 * one of them (FusionAuth's `invalid_entity_permission_scope` otherwise), else all it was granted. A
 * target that does not exist, lies in another tenant or on which the client holds no grant at all is the
 * same `invalid_target_entity_scope`, so a client cannot probe which entity ids exist.
 */
function grantedPermissions(client: EntityClient, requested: readonly TargetEntityScope[], found: readonly ClientCredentialsTarget[]): Map<string, readonly string[]> {
  const byId = new Map(found.map((target) => [target.id, target]));
  const permissions = new Map<string, readonly string[]>();
  for (const { targetEntityId, permissions: named } of requested) {
    const target = byId.get(targetEntityId);
    if (target === undefined || target.tenantId !== client.tenantId || target.permissions === undefined) {
      throw invalidScope(`This client holds no grant on the target entity ${targetEntityId}.`, 'invalid_target_entity_scope');
    }
    const granted = target.permissions;
    const missing = named?.find((permission) => !granted.includes(permission));
    if (missing !== undefined) throw invalidScope(`This client was not granted the permission ${missing} on the target entity ${targetEntityId}.`, 'invalid_entity_permission_scope');
    permissions.set(targetEntityId, named ?? granted);
  }
  return permissions;
}

/**
 * grant_type=client_credentials (RFC 6749 §4.4) between entities, as FusionAuth does it: the client is
 * an Entity (its client id and secret, Basic or in the body; applications are not clients of this grant)
 * and `scope` names the target entities and permissions wanted (target-entity-scopes.ts). The access
 * token holds exactly what was requested and granted. TTL and signing key come from the entity type's
 * jwtConfiguration when it is enabled, else from the tenant's. Nothing is written: the token is a
 * self-contained JWT. The entity with its type and tenant, then its grants on the targets, are each one
 * statement, kept a few seconds by the settings cache (tenancy/settings-cache.ts); the secret comparison
 * costs microseconds, not a password hash.
 */
export const clientCredentialsGrant: TokenGrant = {
  grantType: 'client_credentials',
  async exchange(deps, request) {
    const credentials = presentedCredentials(request.parameters, request.authorization);
    requireEntitySecret(credentials);
    const by = { clientId: credentials.clientId };
    const client = checkEntityClient(deps.keyRing, (await findEntityClient(deps, by))?.client, credentials);
    const scope = parseTargetEntityScopes(request.parameters.get('scope'));
    if (scope.error !== undefined) throw scope.error;
    // Looked up once the client is authenticated, so that only clients fill the cache with target lists.
    const targetIds = scope.targets.map((target) => target.targetEntityId);
    const found = targetIds.length === 0 ? [] : ((await findEntityClient(deps, by, targetIds))?.targets ?? []);
    const permissions = grantedPermissions(client, scope.targets, found);

    const { tenant } = client;
    const own = client.jwtConfiguration;
    const base = tenant.settings.jwtConfiguration;
    const timeToLiveInSeconds = own.enabled && own.timeToLiveInSeconds !== undefined ? own.timeToLiveInSeconds : base.timeToLiveInSeconds;
    const keyId = (own.enabled ? own.accessTokenKeyId : undefined) ?? base.accessTokenKeyId;
    const scopeValue = scope.values.length === 0 ? undefined : scope.values.join(' ');
    const accessToken = await signClientCredentialsToken(await deps.signingKeys.signerFor(keyId), {
      issuer: issuerFor(tenant.settings, request),
      entityId: client.id,
      tenantId: client.tenantId,
      permissions,
      scope: scopeValue,
      timeToLiveInSeconds,
      now: request.now,
    });
    // FusionAuth's client credentials response: no refresh token, no userId.
    return { access_token: accessToken, expires_in: timeToLiveInSeconds, ...(scopeValue === undefined ? {} : { scope: scopeValue }), token_type: 'Bearer' };
  },
};
