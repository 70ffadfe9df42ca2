import type { Application } from '../../store/repositories/application-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { JwtConfiguration } from '../../tenancy/tenant-settings.ts';

/**
 * FusionAuth's rule: an application's jwtConfiguration applies when it is enabled, otherwise its
 * tenant's. The key assignment falls back the same way.
 */
export function effectiveJwtConfiguration(tenant: Tenant, application: Application | undefined): JwtConfiguration & { readonly keyId: string | undefined } {
  const own = application?.settings.jwtConfiguration;
  const base = tenant.settings.jwtConfiguration;
  if (own === undefined || !own.enabled) return { ...base, keyId: base.accessTokenKeyId };
  return { ...base, ...own, refreshTokenRevocationPolicy: base.refreshTokenRevocationPolicy, keyId: own.accessTokenKeyId ?? base.accessTokenKeyId };
}
