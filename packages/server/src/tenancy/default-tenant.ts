import type { Tenant } from '../store/repositories/tenant-repository.ts';

/**
 * The tenant every store starts with, with FusionAuth's default token lifetimes. No issuer is stored:
 * until an administrator sets one, the server derives it from the URL it is reached at.
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
