import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { updateTenant } from '../../tenancy/tenants.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { tenantBody, tenantIdParams, tenantJson } from './tenant-json.ts';

type Request = FastifyRequest<{ Body: { tenant: unknown }; Params: { tenantId: string } }>;

/** PUT (replace) and PATCH (merge) /api/tenant/{tenantId}. */
export function registerUpdateTenant(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (mode: 'replace' | 'merge') => async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    if (scope !== undefined && scope !== request.params.tenantId) throw ApiError.notFound();
    const tenant = await deps.store.transaction((repositories) =>
      updateTenant(repositories, request.params.tenantId, request.body.tenant, mode, deps.now()),
    );
    if (tenant === undefined) throw ApiError.notFound();
    return { tenant: tenantJson(tenant) };
  };
  const schema = { body: tenantBody, params: tenantIdParams };
  app.put('/tenant/:tenantId', { schema }, handler('replace'));
  app.patch('/tenant/:tenantId', { schema }, handler('merge'));
}
