import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { createRole } from '../../tenancy/application-roles.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationIdParams, roleBody, roleIdParams, roleJson } from './application-json.ts';

type Request = FastifyRequest<{ Body: { role: unknown }; Params: { applicationId: string; roleId?: string } }>;

/** POST /api/application/{id}/role[/{roleId}] → `{"role": {...}}`. */
export function registerCreateApplicationRole(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const role = await deps.store.transaction(async (repositories) => {
      const application = await findApplicationInScope(repositories, request.params.applicationId, scope);
      if (application === undefined) return undefined;
      return createRole(repositories, application, request.params.roleId?.toLowerCase(), request.body.role, deps.now());
    });
    if (role === undefined) throw ApiError.notFound();
    return { role: roleJson(role) };
  };
  app.post('/application/:applicationId/role', { schema: { body: roleBody, params: applicationIdParams } }, handler);
  app.post('/application/:applicationId/role/:roleId', { schema: { body: roleBody, params: roleIdParams } }, handler);
}
