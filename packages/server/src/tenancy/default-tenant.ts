import type { Tenant } from '../store/repositories/tenant-repository.ts';
import { validateTenantSettings } from './tenants.ts';

/**
 * The tenant every store starts with, with FusionAuth's defaults. No issuer is stored: until an
 * administrator sets one, the server derives it from the URL it is reached at.
 */
export function defaultTenant(id: string, instant: number): Tenant {
  return { id, settings: validateTenantSettings({ name: 'Default' }), insertInstant: instant, lastUpdateInstant: instant };
}
