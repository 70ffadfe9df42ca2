import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { ApiError } from '../errors/api-error.ts';
import { issuesToFieldErrors, type SchemaIssue } from './field-errors.ts';

/** Same options as Fastify's route validation, but reporting every failure, as FusionAuth does. */
function createAjv(): Ajv {
  const ajv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: true, allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv;
}

/**
 * Compiles `schema` once; the returned function validates a copy of `value` (defaults applied, unknown
 * fields dropped) and returns it, or throws ApiError 400 with field errors rooted at `root`.
 */
export function createValidator<T>(schema: object, root: string): (value: unknown) => T {
  const validate = createAjv().compile(schema);
  return (value) => {
    const copy: unknown = structuredClone(value);
    if (validate(copy)) return copy as T;
    throw new ApiError(400, issuesToFieldErrors((validate.errors ?? []) as SchemaIssue[], root));
  };
}
