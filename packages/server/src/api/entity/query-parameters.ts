import type { FastifyRequest } from 'fastify';

/**
 * FusionAuth's TypeScript client sends every parameter of a method, absent ones as the text `undefined`
 * or `null` (`retrieveEntityGrant(id, recipientEntityId, null)` asks `?recipientEntityId=...&userId=null`):
 * those, and empty values, mean the parameter was not given.
 */
export function withoutAbsentValues(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== '' && value !== 'undefined' && value !== 'null'));
}

/** A route's preValidation: drops absent query values (see withoutAbsentValues) before the schema checks the rest. */
export async function dropAbsentQueryValues(request: FastifyRequest): Promise<void> {
  request.query = withoutAbsentValues(request.query as Record<string, unknown>);
}

/**
 * The criteria of a GET search, shaped like the JSON body's `search` object: paging numbers become
 * numbers, a lone `ids` a one-element list, and `sortFields[0].name=...&sortFields[0].order=...` (how
 * FusionAuth documents sorting by query parameters) a `sortFields` list. Validation happens afterwards,
 * exactly as for the body.
 */
export function searchCriteriaFromQuery(query: Record<string, unknown>): Record<string, unknown> {
  query = withoutAbsentValues(query);
  const number = (value: unknown) => (typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value);
  const criteria: Record<string, unknown> = {};
  const sortFields: Record<string, unknown>[] = [];
  for (const [name, value] of Object.entries(query)) {
    const sort = /^sortFields\[(\d{1,2})\]\.(name|order|missing)$/.exec(name);
    if (name === '__proto__') continue;
    if (sort !== null) (sortFields[Number(sort[1])] ??= {})[sort[2]!] = value;
    else if (name === 'startRow' || name === 'numberOfResults') criteria[name] = number(value);
    else if (name === 'ids') criteria[name] = typeof value === 'string' ? [value] : value;
    else criteria[name] = value;
  }
  if (sortFields.length > 0) criteria['sortFields'] = Array.from(sortFields, (field) => field ?? {});
  return criteria;
}
