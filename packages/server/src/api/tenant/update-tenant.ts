import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { updateTenant } from '../../tenancy/tenants.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { tenantBody, tenantIdParams, tenantJson } from './tenant-json.ts';

type Route = { Params: { tenantId: string } };
type Request = FastifyRequest<Route>;

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/tenant/{tenantId}. */
export function registerUpdateTenant(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    if (scope !== undefined && scope !== request.params.tenantId) throw ApiError.notFound();
    const { mode, body } = requestedUpdate(request, method, 'tenant');
    const tenant = await deps.store.transaction((repositories) => updateTenant(repositories, request.params.tenantId, body, mode, deps.now()));
    if (tenant === undefined) throw ApiError.notFound();
    return { tenant: tenantJson(tenant) };
  };
  const schema = { body: tenantBody, params: tenantIdParams };
  app.put('/tenant/:tenantId', { schema }, handler('put'));
  app.patch<Route>('/tenant/:tenantId', patchRoute(schema), handler('patch'));
}
