/**
 * LIKE pattern (to compare with `lower(column)`) for a search's query string: `*` becomes `%`, LIKE's own
 * wildcards are escaped, no `*` means "contains". Shared by the database searches (users, entities).
 */
export function likePattern(queryString: string): string {
  const escaped = queryString.toLowerCase().replace(/[\\%_]/g, (special) => `\\${special}`);
  return escaped.includes('*') ? escaped.replace(/\*+/g, '%') : `%${escaped}%`;
}
