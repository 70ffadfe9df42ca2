import { ApiError } from '../errors/api-error.ts';
import type { SigningKeyRecord } from '../store/repositories/signing-key-repository.ts';
import { createValidator } from '../validation/validator.ts';
import { parseCertificate } from './certificate-information.ts';
import { apiAlgorithmName, fromApiAlgorithmName, isKeyAlgorithm, keyAlgorithmNames, keyAlgorithms } from './key-algorithms.ts';

/**
 * FusionAuth's Key search (/api/key/search). Key Master holds tens of keys, not millions, and GET /api/key
 * already lists them all: the search filters, orders and pages that list in memory, which lets it order by
 * `expiration`, a value that lives inside the certificate rather than in a column.
 */

/** `None` (algorithm) and `Secret` (type) are FusionAuth's Secrets, which Gatehouse does not keep: valid, never matched. */
const criteriaSchema = {
  type: 'object',
  properties: {
    algorithm: { type: 'string', enum: [...keyAlgorithmNames, 'Ed25519', 'None'] },
    type: { type: 'string', enum: ['EC', 'OKP', 'RSA', 'HMAC', 'Secret'] },
    name: { type: 'string', maxLength: 1024 },
    orderBy: { type: 'string', maxLength: 1024 },
    startRow: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
    numberOfResults: { type: 'integer', minimum: 0, maximum: 10_000, default: 25 },
  },
} as const;

export interface KeySearchCriteria {
  algorithm?: string;
  type?: string;
  name?: string;
  orderBy?: string;
  startRow: number;
  numberOfResults: number;
}

const validateCriteria = createValidator<KeySearchCriteria>(criteriaSchema, 'search');

/** What a key is ordered by; `undefined` sorts before every value, as FusionAuth's nullable fields do. */
interface Row {
  readonly record: SigningKeyRecord;
  readonly expiration: number | undefined;
}

type Comparable = string | number | undefined;

const sortableFields: Readonly<Record<string, (row: Row) => Comparable>> = {
  algorithm: (row) => apiAlgorithmName(row.record.algorithm),
  expiration: (row) => row.expiration,
  id: (row) => row.record.id,
  insertInstant: (row) => row.record.insertInstant,
  // Names are unique case-insensitively: the lower-case form orders them the way a reader expects.
  name: (row) => row.record.name.toLowerCase(),
  type: (row) => typeOf(row.record),
};

interface SortTerm {
  readonly value: (row: Row) => Comparable;
  readonly descending: boolean;
}

function typeOf(record: SigningKeyRecord): string | undefined {
  return isKeyAlgorithm(record.algorithm) ? keyAlgorithms[record.algorithm].type : undefined;
}

/** `field [ASC|DESC], ...` with FusionAuth's field names; the id breaks ties so that pages never overlap. */
function parseOrderBy(orderBy: string | undefined): SortTerm[] {
  const text = orderBy?.trim() || 'name ASC';
  const terms = text.split(',').map((term) => {
    const [field = '', direction = 'ASC', ...rest] = term.trim().split(/\s+/);
    const key = Object.keys(sortableFields).find((name) => name.toLowerCase() === field.toLowerCase());
    if (key === undefined || rest.length > 0 || !/^(asc|desc)$/i.test(direction)) {
      throw ApiError.field('search.orderBy', 'invalid', `Order by ${Object.keys(sortableFields).join(', ')}, each optionally followed by ASC or DESC.`);
    }
    return { value: sortableFields[key] as (row: Row) => Comparable, descending: /^desc$/i.test(direction) };
  });
  return [...terms, { value: (row: Row) => row.record.id, descending: false }];
}

function compare(a: Comparable, b: Comparable): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

/**
 * FusionAuth's name match (SQLTools.toSearchString): trimmed, case-insensitive; `*` stands for any run of
 * characters and `**` for a literal `*`; a query without `*` matches names that contain it. Unlike
 * FusionAuth, `%` and `_` are plain characters (FusionAuth hands them to SQL LIKE as wildcards).
 */
export function nameMatcher(query: string): (name: string) => boolean {
  const text = query.trim().toLowerCase();
  if (!text.includes('*')) return (name) => name.toLowerCase().includes(text);
  // The literal pieces between wildcards; one piece means no wildcard is left (only `**` escapes).
  const pieces = [''];
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index] ?? '';
    if (character !== '*') pieces[pieces.length - 1] += character;
    else if (text[index + 1] === '*') {
      pieces[pieces.length - 1] += '*';
      index += 1;
    } else pieces.push('');
  }
  const first = pieces[0] ?? '';
  const last = pieces.at(-1) ?? '';
  if (pieces.length === 1) return (name) => name.toLowerCase() === first;
  // Leftmost placement of each middle piece is optimal for `*`-only patterns: linear, no backtracking.
  return (name) => {
    const value = name.toLowerCase();
    if (!value.startsWith(first)) return false;
    let position = first.length;
    for (const piece of pieces.slice(1, -1)) {
      const found = value.indexOf(piece, position);
      if (found === -1) return false;
      position = found + piece.length;
    }
    return value.length - last.length >= position && value.endsWith(last);
  };
}

function expirationOf(record: SigningKeyRecord): number | undefined {
  return record.certificate === undefined ? undefined : parseCertificate(record.certificate)?.validToDate.getTime();
}

/** One page of `records` matching the criteria (validated here, errors rooted at `search`), and the match count. */
export function searchKeys(records: readonly SigningKeyRecord[], input: unknown): { keys: SigningKeyRecord[]; total: number } {
  const criteria = validateCriteria(input);
  const order = parseOrderBy(criteria.orderBy);
  const algorithm = criteria.algorithm === undefined ? undefined : (fromApiAlgorithmName(criteria.algorithm) ?? null);
  const matchesName = criteria.name === undefined ? undefined : nameMatcher(criteria.name);
  const byExpiration = order.some((term) => term.value === sortableFields['expiration']);
  const rows = records
    .filter((record) => algorithm === undefined || record.algorithm === algorithm)
    .filter((record) => criteria.type === undefined || typeOf(record) === criteria.type)
    .filter((record) => matchesName === undefined || matchesName(record.name))
    .map((record) => ({ record, expiration: byExpiration ? expirationOf(record) : undefined }));
  rows.sort((a, b) => {
    for (const term of order) {
      const result = compare(term.value(a), term.value(b));
      if (result !== 0) return term.descending ? -result : result;
    }
    return 0;
  });
  const page = rows.slice(criteria.startRow, criteria.startRow + criteria.numberOfResults);
  return { keys: page.map((row) => row.record), total: rows.length };
}
