import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';

/**
 * PostgreSQL cannot store U+0000 in text or jsonb (SQLSTATE 22021 / 22P05), nor an unpaired UTF-16
 * surrogate (`"\ud800"` is invalid jsonb; in text it is an invalid byte sequence on PGlite): such a
 * character anywhere in the input would reach the database and fail there. Returns the path of the
 * first string or key holding one.
 */
export function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return unstorable(value) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    // A NUL in a key is reported on the object holding it: echoing the key would echo the NUL.
    if (unstorable(key)) return path;
    const childPath = path === '' ? key : `${path}.${key}`;
    const found = nulPath(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

function unstorable(text: string): boolean {
  return text.includes('\u0000') || !text.isWellFormed();
}

/** preValidation hook: a NUL or lone surrogate in the body or query is a 400 `[invalid]<field>`, never a database error. */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  const field = nulPath(request.body, '') ?? nulPath(request.query, '');
  if (field !== undefined) {
    throw ApiError.field(field || 'request', 'invalid', `${field || 'The request'} must not contain NUL (U+0000) characters or unpaired surrogates.`);
  }
}
