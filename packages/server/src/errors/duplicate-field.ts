import { DuplicateError } from '../store/store-errors.ts';
import { ApiError } from './api-error.ts';

/** Which field and message a broken unique rule (by constraint name) means to the caller. */
export type DuplicateFields = Readonly<Record<string, readonly [field: string, message: string]>>;

/**
 * Turns a repository's DuplicateError into FusionAuth's `[duplicate]<field>` error; anything else is
 * rethrown. Use as `.catch(duplicateFieldError(fields))`.
 */
export function duplicateFieldError(fields: DuplicateFields): (error: unknown) => never {
  return (error) => {
    const known = error instanceof DuplicateError ? fields[error.constraint] : undefined;
    if (known !== undefined) throw ApiError.field(known[0], 'duplicate', known[1]);
    throw error;
  };
}
