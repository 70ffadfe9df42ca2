import { ApiError } from '../errors/api-error.ts';
import type { Entity, EntitySortField } from '../store/repositories/entity-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { withoutIndices } from '../validation/field-errors.ts';
import { createValidator } from '../validation/validator.ts';

const sortFields: readonly EntitySortField[] = ['clientId', 'insertInstant', 'lastUpdateInstant', 'name', 'tenantId', 'typeId'];

/** FusionAuth's entity `search` criteria for its database search engine; Elasticsearch-only ones are ignored. */
const criteriaSchema = {
  type: 'object',
  properties: {
    queryString: { type: 'string', maxLength: 1024 },
    ids: { type: 'array', maxItems: 10_000, items: { type: 'string', format: 'uuid' } },
    query: {},
    sortFields: {
      type: 'array',
      maxItems: sortFields.length,
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', enum: sortFields }, order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' } },
      },
    },
    startRow: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
    numberOfResults: { type: 'integer', minimum: 0, maximum: 10_000, default: 25 },
  },
} as const;

interface Criteria {
  queryString?: string;
  ids?: string[];
  query?: unknown;
  sortFields?: { name: EntitySortField; order: 'asc' | 'desc' }[];
  startRow: number;
  numberOfResults: number;
}

const validateCriteria = createValidator<Criteria>(criteriaSchema, 'search');

/**
 * POST|GET /api/entity/search: `ids` (in the order given, not paged) or `queryString` (name, client id or
 * type name; case-insensitive, `*` a wildcard, no `*` means "contains"), sorted by `sortFields` (default
 * name ascending). Limited to `tenantId` when the request is.
 */
export async function searchEntities(repositories: Pick<Repositories, 'entities'>, input: unknown, tenantId: string | undefined): Promise<{ entities: Entity[]; total: number }> {
  let criteria: Criteria;
  try {
    criteria = validateCriteria(input);
  } catch (error) {
    throw error instanceof ApiError ? withoutIndices(error) : error;
  }
  if (criteria.query !== undefined) {
    throw ApiError.field('search.query', 'invalid', 'Elasticsearch queries are not supported: use [search.queryString] or [search.ids].');
  }
  if (criteria.ids !== undefined) {
    const entities = await repositories.entities.findMany([...new Set(criteria.ids.map((id) => id.toLowerCase()))], tenantId);
    return { entities, total: entities.length };
  }
  if (criteria.queryString === undefined) {
    throw ApiError.field('search.queryString', 'blank', 'Send [search.queryString] (`*` for every entity) or [search.ids].');
  }
  const sort = (criteria.sortFields ?? [{ name: 'name', order: 'asc' }]).map((field) => ({ field: field.name, descending: field.order === 'desc' }));
  return repositories.entities.search({ tenantId, queryString: criteria.queryString, sort, startRow: criteria.startRow, numberOfResults: criteria.numberOfResults });
}
