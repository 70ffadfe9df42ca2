import { parseOrderBy } from '../entities/order-by.ts';
import type { AuditLogSearch } from '../store/repositories/audit-log-repository.ts';
import type { EventLogSearch } from '../store/repositories/event-log-repository.ts';
import { createValidator } from '../validation/validator.ts';

/**
 * The criteria of FusionAuth's Audit Log and Event Log searches, validated like any search body:
 * text filters (case-insensitive, `*` a wildcard, none meaning "contains"), an inclusive time range in
 * milliseconds, paging, and `orderBy` (default newest first).
 */
const common = {
  message: { type: 'string', maxLength: 1024 },
  start: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  end: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  orderBy: { type: 'string', maxLength: 1024 },
  startRow: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
  numberOfResults: { type: 'integer', minimum: 0, maximum: 10_000, default: 25 },
} as const;

interface Criteria {
  message?: string;
  user?: string;
  reason?: string;
  type?: 'Information' | 'Debug' | 'Error';
  start?: number;
  end?: number;
  orderBy?: string;
  startRow: number;
  numberOfResults: number;
}

const validateAuditCriteria = createValidator<Criteria>(
  { type: 'object', properties: { ...common, user: { type: 'string', maxLength: 1024 }, reason: { type: 'string', maxLength: 1024 } } },
  'search',
);
const validateEventCriteria = createValidator<Criteria>({ type: 'object', properties: { ...common, type: { type: 'string', enum: ['Information', 'Debug', 'Error'] } } }, 'search');

const auditColumns = { id: 'id', insertInstant: 'insert_instant', insertUser: 'insert_user', message: 'message' } as const;
const eventColumns = { id: 'id', insertInstant: 'insert_instant', message: 'message', type: 'type' } as const;

/** POST /api/system/audit-log/search's `search` object (or the GET's query), as the repository takes it. */
export function auditLogSearch(input: unknown): AuditLogSearch {
  const criteria = validateAuditCriteria(input);
  const order = parseOrderBy(criteria.orderBy, Object.keys(auditColumns) as (keyof typeof auditColumns)[], 'insertInstant DESC');
  return { ...criteria, orderBy: order.map((term) => ({ column: auditColumns[term.field], descending: term.descending })) };
}

/** POST /api/system/event-log/search's `search` object (or the GET's query), as the repository takes it. */
export function eventLogSearch(input: unknown): EventLogSearch {
  const criteria = validateEventCriteria(input);
  const order = parseOrderBy(criteria.orderBy, Object.keys(eventColumns) as (keyof typeof eventColumns)[], 'insertInstant DESC');
  return { ...criteria, orderBy: order.map((term) => ({ column: eventColumns[term.field], descending: term.descending })) };
}

/** GET search query values are text: the numbers among them become numbers before validation. */
export function numericCriteria(criteria: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...criteria };
  for (const name of ['start', 'end', 'startRow', 'numberOfResults']) {
    const value = copy[name];
    if (typeof value === 'string' && /^\d{1,16}$/.test(value)) copy[name] = Number(value);
  }
  return copy;
}
