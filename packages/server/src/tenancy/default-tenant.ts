import type { Tenant } from '../store/repositories/tenant-repository.ts';

/**
 * The tenant every store starts with. Its settings are FusionAuth's defaults; the issuer is left unset so
 * it follows GATEHOUSE_PUBLIC_URL until an administrator sets one.
 */
export function defaultTenant(id: string, instant: number): Tenant {
  return {
    id,
    name: 'Default',
    data: {
      jwtConfiguration: {
        enabled: true,
        timeToLiveInSeconds: 3600,
        refreshTokenTimeToLiveInMinutes: 43_200,
        refreshTokenExpirationPolicy: 'Fixed',
        refreshTokenUsagePolicy: 'Reusable',
      },
      externalIdentifierConfiguration: {
        authorizationGrantIdTimeToLiveInSeconds: 30,
        deviceCodeTimeToLiveInSeconds: 300,
        pendingAccountLinkTimeToLiveInSeconds: 3600,
      },
    },
    insertInstant: instant,
    lastUpdateInstant: instant,
  };
}
