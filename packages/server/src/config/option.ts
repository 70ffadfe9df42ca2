/** One configuration option: where it comes from, its default, how it is validated, what it means. */
export interface Option<T> {
  readonly env: string;
  readonly description: string;
  /** Shown in the README; `undefined` means "unset". */
  readonly defaultText: string;
  readonly fallback: T;
  /** Turns the raw environment value into T, or throws an Error whose message says what is wrong. */
  readonly parse: (raw: string) => T;
}

export function option<T>(spec: Option<T>): Option<T> {
  return spec;
}

export function integerIn(min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^\d+$/.test(raw)) throw new Error(`must be a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): (raw: string) => T {
  return (raw) => {
    const found = values.find((value) => value === raw);
    if (found === undefined) throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
    return found;
  };
}

export function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
}

export function booleanFlag(raw: string): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`must be true or false, got "${raw}"`);
}
