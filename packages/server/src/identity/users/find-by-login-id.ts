import { ApiError } from '../../errors/api-error.ts';
import type { User, UserRepository } from '../../store/repositories/user-repository.ts';

/**
 * The user a login id (email, then username) names in the tenant, or in every tenant when none is named;
 * several matches across tenants are ambiguous: `[TenantIdRequired]`.
 */
export async function findUserByLoginId(users: Pick<UserRepository, 'findByLoginId'>, loginId: string, tenantId: string | undefined): Promise<User | undefined> {
  const found = await users.findByLoginId(loginId, tenantId);
  if (found.length > 1) throw ApiError.general('TenantIdRequired', 'Users in several tenants have this login id: send X-FusionAuth-TenantId or an applicationId.');
  return found[0];
}
