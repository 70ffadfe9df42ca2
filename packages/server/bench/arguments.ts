/** The benchmark drivers' command lines: the flags they all take and the checks of their values (a bad value exits with 2). */
import type { BenchOptions } from './options.ts';

/** The flags every driver takes; `out` defaults to the given results file. */
export function commonFlags(out: string) {
  return {
    'quiet-wait': { type: 'string', default: '600' },
    'postgres-url': { type: 'string', default: process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    out: { type: 'string', default: out },
    source: { type: 'string' },
    report: { type: 'string' },
    help: { type: 'boolean', default: false },
  } as const;
}

/** The values of commonFlags once parsed. */
export interface CommonArgs {
  readonly 'quiet-wait': string;
  readonly 'postgres-url': string;
  readonly out: string;
  readonly source?: string | undefined;
  readonly report?: string | undefined;
}

export function positiveNumber(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`bench: --${name} must be a positive number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

export function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`bench: --${name} must be a positive integer, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

/** A comma-separated list of positive integers. */
export function positiveIntegers(name: string, raw: string): number[] {
  const list = raw.split(',').map((part) => Number(part.trim()));
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) {
    console.error(`bench: --${name} must be positive integers, got "${raw}"`);
    process.exit(2);
  }
  return list;
}

/** A comma-separated list of the allowed values. */
export function choices<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const values = raw.split(',').map((value) => value.trim()) as T[];
  const unknown = values.find((value) => !allowed.includes(value));
  if (unknown !== undefined) {
    console.error(`bench: unknown --${name} value "${unknown}" (${allowed.join(', ')})`);
    process.exit(2);
  }
  return values;
}

/** The options of a driver that compares servers under load (oauth.ts, client-credentials.ts): no warm restarts, idle wait, skips or wrk. */
export function driverOptions(args: CommonArgs, measured: Pick<BenchOptions, 'durationSec' | 'connections' | 'warmupSec' | 'repeats'>): BenchOptions {
  return {
    ...measured,
    warmRuns: 0,
    idleMs: 0,
    quietWaitSec: Number(args['quiet-wait']),
    skip: new Set(),
    wrkPath: undefined,
    postgresUrl: args['postgres-url'],
    out: args.out,
    source: args.source,
    report: args.report,
  };
}
