/** A row that would break a unique rule. `constraint` names the rule (e.g. tenants_name_key). */
export class DuplicateError extends Error {
  override readonly name = 'DuplicateError';
  readonly constraint: string;

  constructor(constraint: string) {
    super(`duplicate value for ${constraint}`);
    this.constraint = constraint;
  }
}

/**
 * Both backends report unique violations as SQLSTATE 23505; PGlite's error class is minified, so the
 * code is the only reliable test.
 */
export async function rethrowDuplicate<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const { code, constraint } = error as { code?: unknown; constraint?: unknown };
    if (code === '23505') throw new DuplicateError(typeof constraint === 'string' ? constraint : 'unique');
    throw error;
  }
}
