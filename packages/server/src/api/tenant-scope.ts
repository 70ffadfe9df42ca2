import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import type { ApiKeyRecord } from '../store/repositories/api-key-repository.ts';
import type { TenantRepository } from '../store/repositories/tenant-repository.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The tenant a management request is limited to: a tenant-scoped key's own tenant, else the
 * `X-FusionAuth-TenantId` header, else none (a global key sees every tenant). A scoped key naming
 * another tenant in the header is refused with 401, as FusionAuth does.
 */
export function requestTenantId(request: FastifyRequest, caller: ApiKeyRecord): string | undefined {
  const header = request.headers['x-fusionauth-tenantid'];
  const named = typeof header === 'string' && header !== '' ? header : undefined;
  if (named !== undefined && !uuid.test(named)) {
    throw ApiError.general('TenantIdInvalid', 'The X-FusionAuth-TenantId header must be a tenant id (UUID).');
  }
  if (caller.tenantId !== undefined) {
    if (named !== undefined && named.toLowerCase() !== caller.tenantId) throw ApiError.unauthorized();
    return caller.tenantId;
  }
  return named?.toLowerCase();
}

/**
 * For operations that create something inside a tenant: the scoped tenant, or the only tenant when
 * there is just one; with several tenants and no scope, 400 `[TenantIdRequired]`.
 */
export async function requireTenantId(request: FastifyRequest, caller: ApiKeyRecord, tenants: Pick<TenantRepository, 'find' | 'list'>): Promise<string> {
  const scoped = requestTenantId(request, caller);
  if (scoped !== undefined) {
    if ((await tenants.find(scoped)) === undefined) throw ApiError.general('TenantIdInvalid', `No tenant has the id ${scoped}.`);
    return scoped;
  }
  const all = await tenants.list();
  if (all.length === 1 && all[0] !== undefined) return all[0].id;
  throw ApiError.general('TenantIdRequired', 'There is more than one tenant: send the X-FusionAuth-TenantId header or use a tenant-scoped API key.');
}
