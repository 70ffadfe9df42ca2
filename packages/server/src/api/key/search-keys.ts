import type { FastifyInstance, FastifyRequest } from 'fastify';
import { searchKeys } from '../../keys/key-search.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { keyJson, requireGlobalCaller } from './key-json.ts';

/** Query parameters arrive as strings: the paging numbers become numbers, as in the JSON body. */
function criteriaFromQuery(query: Record<string, unknown>): Record<string, unknown> {
  const number = (value: unknown) => (typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value);
  const criteria: Record<string, unknown> = { ...query, startRow: number(query['startRow']), numberOfResults: number(query['numberOfResults']) };
  for (const key of Object.keys(criteria)) if (criteria[key] === undefined) delete criteria[key];
  return criteria;
}

const searchBody = { type: 'object', properties: { search: { type: 'object' } } } as const;

/**
 * POST /api/key/search `{search: {...}}` and GET /api/key/search?algorithm=&name=&type=...: one page of
 * keys (public parts only, as everywhere in Key Master) and the total. Static routes win over
 * /api/key/{keyId} in Fastify's router, so `search` is never read as a key id.
 */
export function registerSearchKeys(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, criteria: unknown) => {
    requireGlobalCaller(deps.callers, request);
    const { keys, total } = searchKeys(await deps.store.repositories.signingKeys.list(), criteria);
    return { keys: keys.map(keyJson), total };
  };
  // FusionAuth's request object starts with empty criteria: `{}` searches every key.
  app.post('/key/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search?: unknown } }>) => search(request, request.body.search ?? {}));
  app.get('/key/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => search(request, criteriaFromQuery(request.query)));
}
