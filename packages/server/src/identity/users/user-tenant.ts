import { ApiError } from '../../errors/api-error.ts';
import type { TenantRepository } from '../../store/repositories/tenant-repository.ts';

/**
 * The tenant a new user goes into: the request's scope (scoped key or X-FusionAuth-TenantId) wins;
 * otherwise the user's own `tenantId`; otherwise the only tenant. With several tenants and none named,
 * 400 `[TenantIdRequired]`, as FusionAuth answers.
 */
export async function tenantForNewUser(
  tenants: Pick<TenantRepository, 'find' | 'list'>,
  scope: string | undefined,
  requested: string | undefined,
  field: string,
): Promise<string> {
  if (scope !== undefined) {
    if ((await tenants.find(scope)) === undefined) throw ApiError.general('TenantIdInvalid', `No tenant has the id ${scope}.`);
    return scope;
  }
  if (requested !== undefined) {
    if ((await tenants.find(requested)) === undefined) throw ApiError.field(field, 'invalid', `No tenant has the id ${requested}.`);
    return requested;
  }
  const all = await tenants.list();
  if (all.length === 1 && all[0] !== undefined) return all[0].id;
  throw ApiError.general('TenantIdRequired', 'There is more than one tenant: send the X-FusionAuth-TenantId header or use a tenant-scoped API key.');
}
