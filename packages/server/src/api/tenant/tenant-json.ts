import type { Tenant } from '../../store/repositories/tenant-repository.ts';

/** FusionAuth's `tenant` object. */
export function tenantJson(tenant: Tenant) {
  return { id: tenant.id, ...tenant.settings, state: 'Active', insertInstant: tenant.insertInstant, lastUpdateInstant: tenant.lastUpdateInstant };
}

export const tenantIdParams = {
  type: 'object',
  required: ['tenantId'],
  properties: { tenantId: { type: 'string', format: 'uuid' } },
} as const;

/** The route-level body check: the `tenant` wrapper only; the tenant itself is validated by the domain. */
export const tenantBody = { type: 'object', required: ['tenant'], properties: { tenant: { type: 'object' } } } as const;
