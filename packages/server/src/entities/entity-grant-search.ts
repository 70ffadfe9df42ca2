import { ApiError } from '../errors/api-error.ts';
import type { EntityGrant } from '../store/repositories/entity-grant-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { createValidator } from '../validation/validator.ts';
import { parseOrderBy } from './order-by.ts';

const criteriaSchema = {
  type: 'object',
  properties: {
    entityId: { type: 'string', format: 'uuid' },
    userId: { type: 'string', format: 'uuid' },
    name: { type: 'string', maxLength: 1024 },
    orderBy: { type: 'string', maxLength: 1024 },
    startRow: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
    numberOfResults: { type: 'integer', minimum: 0, maximum: 10_000, default: 25 },
  },
} as const;

interface Criteria {
  entityId?: string;
  userId?: string;
  name?: string;
  orderBy?: string;
  startRow: number;
  numberOfResults: number;
}

const validateCriteria = createValidator<Criteria>(criteriaSchema, 'search');

/**
 * POST|GET /api/entity/grant/search, as FusionAuth's database search: the grants on `entityId` (the
 * target) or those of the user `userId` — one of the two, not both (`[notMissing]search.userId`); with
 * neither, no grant matches. `name` narrows to targets whose name matches (case-insensitive, `*` a
 * wildcard, no `*` means "contains"). `orderBy`: `insertInstant` or `name` (the target's), default `name ASC`.
 */
export async function searchEntityGrants(repositories: Pick<Repositories, 'entityGrants'>, input: unknown, tenantId: string | undefined): Promise<{ grants: EntityGrant[]; total: number }> {
  const criteria = validateCriteria(input);
  if (criteria.entityId !== undefined && criteria.userId !== undefined) {
    throw ApiError.field('search.userId', 'notMissing', 'Search by [search.entityId] or by [search.userId], not both.');
  }
  const order = parseOrderBy(criteria.orderBy, ['insertInstant', 'name'] as const, 'name ASC');
  if (criteria.entityId === undefined && criteria.userId === undefined) return { grants: [], total: 0 };
  return repositories.entityGrants.search({
    entityId: criteria.entityId?.toLowerCase(),
    userId: criteria.userId?.toLowerCase(),
    name: criteria.name,
    tenantId,
    order,
    startRow: criteria.startRow,
    numberOfResults: criteria.numberOfResults,
  });
}
