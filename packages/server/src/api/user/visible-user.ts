import type { FastifyRequest } from 'fastify';
import type { Repositories } from '../../store/repositories/index.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';

/**
 * The user with this id as the caller may see it: a tenant-scoped key (or a named tenant) never sees
 * another tenant's users, which answer exactly like missing ones (404), so ids cannot be probed.
 */
export async function findVisibleUser(request: FastifyRequest, callers: ApiCallers, users: Repositories['users'], userId: string): Promise<User | undefined> {
  const scope = requestTenantId(request, callers.get(request));
  const user = await users.find(userId);
  return user === undefined || (scope !== undefined && user.tenantId !== scope) ? undefined : user;
}
