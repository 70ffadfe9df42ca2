import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { createTenant } from '../../tenancy/tenants.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { tenantBody, tenantIdParams, tenantJson } from './tenant-json.ts';

type Request = FastifyRequest<{ Body: { tenant: unknown }; Params: { tenantId?: string } }>;

/** POST /api/tenant[/{tenantId}]: global keys only (a tenant-scoped key cannot make tenants). */
export function registerCreateTenant(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    if (deps.callers.get(request).tenantId !== undefined) throw ApiError.unauthorized();
    const tenant = await deps.store.transaction((repositories) => createTenant(repositories, request.params.tenantId, request.body.tenant, deps.now()));
    return { tenant: tenantJson(tenant) };
  };
  app.post('/tenant', { schema: { body: tenantBody } }, handler);
  app.post('/tenant/:tenantId', { schema: { body: tenantBody, params: tenantIdParams } }, handler);
}
