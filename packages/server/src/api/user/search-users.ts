import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { createValidator } from '../../validation/validator.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { userJson } from './user-json.ts';

/** FusionAuth's `search` criteria that Gatehouse's database search answers; the rest is ignored. */
const criteriaSchema = {
  type: 'object',
  properties: {
    queryString: { type: 'string', maxLength: 1024 },
    ids: { type: 'array', maxItems: 10_000, items: { type: 'string', format: 'uuid' } },
    query: {},
    startRow: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
    numberOfResults: { type: 'integer', minimum: 0, maximum: 10_000, default: 25 },
  },
} as const;

interface Criteria {
  queryString?: string;
  ids?: string[];
  query?: unknown;
  startRow: number;
  numberOfResults: number;
}

const validateCriteria = createValidator<Criteria>(criteriaSchema, 'search');

/** Query parameters arrive as strings (and a lone `ids` as one string): shape them like the JSON body. */
function criteriaFromQuery(query: Record<string, unknown>): Record<string, unknown> {
  const number = (value: unknown) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);
  const criteria: Record<string, unknown> = { ...query, startRow: number(query['startRow']), numberOfResults: number(query['numberOfResults']) };
  if (typeof query['ids'] === 'string') criteria['ids'] = [query['ids']];
  for (const key of Object.keys(criteria)) if (criteria[key] === undefined) delete criteria[key];
  return criteria;
}

/**
 * POST /api/user/search `{search: {...}}` and GET /api/user/search?queryString=|ids=: one page of users
 * and the total. A tenant-scoped caller searches its own tenant only.
 */
export function registerSearchUsers(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, input: unknown) => {
    const criteria = validateCriteria(input);
    if (criteria.query !== undefined) {
      throw ApiError.field('search.query', 'invalid', 'Elasticsearch queries are not supported: use [search.queryString] or [search.ids].');
    }
    if (criteria.queryString === undefined && criteria.ids === undefined) {
      throw ApiError.field('search.queryString', 'blank', 'Send [search.queryString] (`*` for every user) or [search.ids].');
    }
    const tenantId = requestTenantId(request, deps.callers.get(request));
    const { users, total } = await deps.store.repositories.users.search({ ...criteria, tenantId });
    const registrations = await deps.store.repositories.registrations.listByUsers(users.map((user) => user.id));
    return { users: users.map((user) => userJson(user, registrations.get(user.id))), total };
  };

  const searchBody = { type: 'object', required: ['search'], properties: { search: { type: 'object' } } } as const;
  app.post('/user/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search: unknown } }>) => search(request, request.body.search));
  app.get('/user/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => search(request, criteriaFromQuery(request.query)));
}
