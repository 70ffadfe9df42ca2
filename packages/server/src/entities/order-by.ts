import { ApiError } from '../errors/api-error.ts';

export interface OrderTerm<F extends string> {
  readonly field: F;
  readonly descending: boolean;
}

/**
 * FusionAuth's `orderBy` of its database searches: `field [ASC|DESC]`, comma-separated, field names
 * matched in any case. A blank value orders by `fallback`. Anything else is `[invalid]search.orderBy`.
 */
export function parseOrderBy<F extends string>(orderBy: string | undefined, fields: readonly F[], fallback: string): OrderTerm<F>[] {
  const text = orderBy?.trim() || fallback;
  return text.split(',').map((term) => {
    const [name = '', direction = 'ASC', ...rest] = term.trim().split(/\s+/);
    const field = fields.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (field === undefined || rest.length > 0 || !/^(asc|desc)$/i.test(direction)) {
      throw ApiError.field('search.orderBy', 'invalid', `Order by ${fields.join(', ')}, each optionally followed by ASC or DESC.`);
    }
    return { field, descending: /^desc$/i.test(direction) };
  });
}
