import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import type { ApiKeyCache } from '../api-key-cache.ts';
import { tenantIdParams } from './tenant-json.ts';

/**
 * DELETE /api/tenant/{tenantId}: global keys only; the default tenant stays (FusionAuth refuses it too).
 * Everything inside the tenant goes with it, in the same transaction.
 */
export function registerDeleteTenant(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; apiKeyCache: ApiKeyCache }) {
  app.delete('/tenant/:tenantId', { schema: { params: tenantIdParams } }, async (request: FastifyRequest<{ Params: { tenantId: string } }>, reply: FastifyReply) => {
    if (deps.callers.get(request).tenantId !== undefined) throw ApiError.unauthorized();
    const outcome = await deps.store.transaction(async (repositories) => {
      const instance = await repositories.instance.find();
      if (instance?.defaultTenantId === request.params.tenantId) return 'default';
      return (await repositories.tenants.delete(request.params.tenantId)) ? 'deleted' : 'missing';
    });
    if (outcome === 'default') throw ApiError.general('DefaultTenantDelete', 'The default tenant cannot be deleted.');
    if (outcome === 'missing') throw ApiError.notFound();
    // The tenant's scoped API keys went with it.
    deps.apiKeyCache.clear();
    return reply.code(200).send();
  });
}
