import { effectiveJwtConfiguration } from '../../identity/login/token-settings.ts';
import { newRefreshToken, type IssuedRefreshToken } from '../../identity/refresh-tokens.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';

/**
 * The refresh token a new grant gets, not yet stored: only when `offline_access` was granted, the
 * application generates refresh tokens (FusionAuth's `generateRefreshTokens`) and enables the
 * refresh_token grant that could use it (OIDC Core §11). Its id is the grant's id, so the grant's `sid`
 * names it and revoking the grant deletes it; `metaData.scopes` holds the granted scopes, which a
 * narrowed refresh never changes. TTL and expiration policy: the application's or tenant's jwtConfiguration.
 */
export function offlineRefreshToken(
  tenant: Tenant,
  application: Application,
  grant: OAuthGrant,
  device: Readonly<Record<string, string>>,
  now: number,
): IssuedRefreshToken | undefined {
  const oauth = application.settings.oauthConfiguration;
  if (!grant.scopes.includes('offline_access') || !oauth.generateRefreshTokens || !oauth.enabledGrants.includes('refresh_token')) return undefined;
  return newRefreshToken(
    { id: grant.id, tenantId: grant.tenantId, userId: grant.userId, applicationId: application.id, metaData: { device, scopes: [...grant.scopes] } },
    effectiveJwtConfiguration(tenant, application),
    now,
  );
}
