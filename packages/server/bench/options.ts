/** The benchmark's command-line options, its help text and the fixed paths and thresholds it uses. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { commonFlags, positiveNumber as positive } from './arguments.ts';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const serverDir = dirname(benchDir);
export const cliPath = join(serverDir, 'src', 'cli.ts');
export const loadPath = join(benchDir, 'load.ts');
export const baselinePath = join(benchDir, 'baseline-server.ts');

/** Other processes' CPU share (percent of a core) above which a measurement is disturbed and taken again. */
export const disturbedPct = 25;
export const maxRetries = 2;

export interface BenchOptions {
  readonly durationSec: number;
  readonly connections: number;
  readonly warmRuns: number;
  readonly warmupSec: number;
  readonly repeats: number;
  readonly idleMs: number;
  /** `--quiet-wait` as given, in seconds. */
  readonly quietWaitSec: number;
  readonly skip: ReadonlySet<string>;
  /** wrk's path when it is installed and not skipped. */
  readonly wrkPath: string | undefined;
  readonly postgresUrl: string;
  readonly out: string;
  readonly source: string | undefined;
  readonly report: string | undefined;
}

const usage = `Usage: node packages/server/bench/run.ts [options]
  --duration S        seconds per load run (default 10)
  --connections N     concurrent connections per load run (default 50)
  --warm-runs N       warm restarts per backend (default 5)
  --warmup S          seconds of unrecorded load per path before each server's runs (default 5)
  --repeat N          runs of every load case, interleaved; the median is reported (default 3)
  --idle MS           idle time before reading RSS (default 3000)
  --quiet-wait S      total seconds the run may spend waiting for other processes' CPU use to
                      drop below 25% of a core before a measurement (default 600; 0 = never wait)
  --skip LIST         comma-separated: embedded, postgres, baseline (sections), load (start-up only),
                      info (the info-level logging runs), wrk (autocannon only)
  --postgres-url URL  admin connection used to create/drop the benchmark database
                      (default $BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --out FILE          raw JSON results (default bench/results/latest.json)
  --source TEXT       what code is measured, for the report (default: git commit and src/ state)
  --report FILE       measure nothing: print the report of an earlier run's raw JSON`;

/** Parses the command line; prints the help and exits for `--help`, exits with 2 on a bad number. */
export function parseOptions(): BenchOptions {
  const { values: args } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      'warm-runs': { type: 'string', default: '5' },
      warmup: { type: 'string', default: '5' },
      repeat: { type: 'string', default: '3' },
      idle: { type: 'string', default: '3000' },
      skip: { type: 'string', default: '' },
      ...commonFlags(join(benchDir, 'results', 'latest.json')),
    },
  });

  if (args.help) {
    console.log(usage);
    process.exit(0);
  }

  const durationSec = positive('duration', args.duration);
  const connections = Math.round(positive('connections', args.connections));
  const warmRuns = Math.round(positive('warm-runs', args['warm-runs']));
  const warmupSec = positive('warmup', args.warmup);
  const repeats = Math.round(positive('repeat', args.repeat));
  const idleMs = positive('idle', args.idle);
  const skip = new Set(args.skip.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  const wrkPath = skip.has('wrk') ? undefined : findOnPath('wrk');
  return {
    durationSec,
    connections,
    warmRuns,
    warmupSec,
    repeats,
    idleMs,
    quietWaitSec: Number(args['quiet-wait']),
    skip,
    wrkPath,
    postgresUrl: args['postgres-url'],
    out: args.out,
    source: args.source,
    report: args.report,
  };
}

function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}
