import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { tenantIdParams, tenantJson } from './tenant-json.ts';

/** GET /api/tenant and /api/tenant/{tenantId}; a scoped caller only ever sees its own tenant. */
export function registerRetrieveTenant(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/tenant', async (request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const tenants = await deps.store.repositories.tenants.list();
    return { tenants: tenants.filter((tenant) => scope === undefined || tenant.id === scope).map(tenantJson) };
  });

  app.get('/tenant/:tenantId', { schema: { params: tenantIdParams } }, async (request: FastifyRequest<{ Params: { tenantId: string } }>) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    if (scope !== undefined && scope !== request.params.tenantId) throw ApiError.notFound();
    const tenant = await deps.store.repositories.tenants.find(request.params.tenantId);
    if (tenant === undefined) throw ApiError.notFound();
    return { tenant: tenantJson(tenant) };
  });
}
