import type { FastifyInstance, FastifyRequest } from 'fastify';
import { searchEntityTypes } from '../../entities/entity-type-search.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { searchCriteriaFromQuery } from '../entity/query-parameters.ts';
import { entityTypeJson } from './entity-type-json.ts';

const searchBody = { type: 'object', properties: { search: { type: 'object' } } } as const;

/** POST /api/entity/type/search `{search: {name, orderBy, startRow, numberOfResults}}` and GET with the same query parameters → `{entityTypes, total}`. */
export function registerSearchEntityTypes(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, criteria: unknown) => {
    requireGlobalCaller(deps.callers, request);
    const { entityTypes, total } = await searchEntityTypes(deps.store.repositories, criteria);
    return { entityTypes: entityTypes.map(entityTypeJson), total };
  };
  app.post('/entity/type/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search?: unknown } }>) => search(request, request.body.search ?? {}));
  app.get('/entity/type/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => search(request, searchCriteriaFromQuery(request.query)));
}
