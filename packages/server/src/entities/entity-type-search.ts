import type { EntityType } from '../store/repositories/entity-type-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { nameMatcher } from '../keys/key-search.ts';
import { createValidator } from '../validation/validator.ts';
import { parseOrderBy } from './order-by.ts';

const criteriaSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 1024 },
    orderBy: { type: 'string', maxLength: 1024 },
    startRow: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
    numberOfResults: { type: 'integer', minimum: 0, maximum: 10_000, default: 25 },
  },
} as const;

interface Criteria {
  name?: string;
  orderBy?: string;
  startRow: number;
  numberOfResults: number;
}

const validateCriteria = createValidator<Criteria>(criteriaSchema, 'search');

const sortable = {
  insertInstant: (type: EntityType) => type.insertInstant,
  lastUpdateInstant: (type: EntityType) => type.lastUpdateInstant,
  name: (type: EntityType) => type.name.toLowerCase(),
} as const;

/**
 * POST|GET /api/entity/type/search: types whose name matches `name` (case-insensitive, `*` a wildcard,
 * `**` a literal `*`, no `*` means "contains"; absent: every type), ordered by `orderBy` (`insertInstant`,
 * `lastUpdateInstant`, `name`, default `name ASC`), one page and the total. Types are few: the list is
 * filtered in memory, like Key Master's search.
 */
export async function searchEntityTypes(repositories: Pick<Repositories, 'entityTypes'>, input: unknown): Promise<{ entityTypes: EntityType[]; total: number }> {
  const criteria = validateCriteria(input);
  const order = parseOrderBy(criteria.orderBy, Object.keys(sortable) as (keyof typeof sortable)[], 'name ASC');
  const matches = criteria.name === undefined ? () => true : nameMatcher(criteria.name);
  const found = (await repositories.entityTypes.list()).filter((type) => matches(type.name));
  found.sort((a, b) => {
    for (const term of order) {
      const [x, y] = [sortable[term.field](a), sortable[term.field](b)];
      if (x !== y) return (x < y ? -1 : 1) * (term.descending ? -1 : 1);
    }
    return a.id < b.id ? -1 : 1;
  });
  return { entityTypes: found.slice(criteria.startRow, criteria.startRow + criteria.numberOfResults), total: found.length };
}
