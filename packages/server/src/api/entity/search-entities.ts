import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { searchEntities } from '../../entities/entity-search.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { entityJson } from './entity-json.ts';
import { searchCriteriaFromQuery } from './query-parameters.ts';

const searchBody = { type: 'object', required: ['search'], properties: { search: { type: 'object' } } } as const;

/**
 * POST /api/entity/search `{search: {...}}` and GET /api/entity/search?ids=|queryString=: a page of
 * entities and the total, within the caller's tenant when it is limited to one. PUT /api/entity/search
 * (FusionAuth's "flush the search index") answers 200: the database search has no index to flush.
 */
export function registerSearchEntities(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, criteria: unknown) => {
    const tenantId = requestTenantId(request, deps.callers.get(request));
    const { entities, total } = await searchEntities(deps.store.repositories, criteria, tenantId);
    return { entities: entities.map((entity) => entityJson(entity, deps.keyRing)), total };
  };
  app.post('/entity/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search: unknown } }>) => search(request, request.body.search));
  app.get('/entity/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => search(request, searchCriteriaFromQuery(request.query)));
  app.put('/entity/search', async (_request, reply: FastifyReply) => reply.code(200).send());
}
