import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { findUserByLoginId } from '../../identity/users/find-by-login-id.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { ApiKeyRecord } from '../../store/repositories/api-key-repository.ts';
import { requestTenantId } from '../tenant-scope.ts';

/**
 * The tenant a workflow request (forgot password, change password, resend verification) looks users up
 * in: the `applicationId`'s tenant when one is named (it must exist in the caller's scope), else the
 * key's tenant or X-FusionAuth-TenantId, else every tenant.
 */
export async function workflowTenantId(request: FastifyRequest, caller: ApiKeyRecord, repositories: Repositories, applicationId: string | undefined): Promise<string | undefined> {
  const scope = requestTenantId(request, caller);
  if (applicationId === undefined) return scope;
  const application = await repositories.applications.find(applicationId);
  if (application === undefined || (scope !== undefined && application.tenantId !== scope)) {
    throw ApiError.field('applicationId', 'invalid', `No application has the id ${applicationId}.`);
  }
  return application.tenantId;
}

/** The active user a login id (email, then username) names for this request, or undefined. */
export async function findWorkflowUser(
  request: FastifyRequest,
  caller: ApiKeyRecord,
  repositories: Repositories,
  loginId: string,
  applicationId: string | undefined,
): Promise<User | undefined> {
  const user = await findUserByLoginId(repositories.users, loginId, await workflowTenantId(request, caller, repositories, applicationId));
  return user?.active === true ? user : undefined;
}
