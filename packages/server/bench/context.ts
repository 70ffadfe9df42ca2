import type { BenchOptions } from './options.ts';
import type { Processes } from './processes.ts';

/** Everything a measurement needs from the run: its options and the run's mutable state, owned by run.ts. */
export interface Bench {
  readonly options: BenchOptions;
  readonly processes: Processes;
  /** What is left of the `--quiet-wait` budget; spent by waitForQuiet, checked before measuring again. */
  quietBudgetMs: number;
  /** Where the wrk pipelining scripts are written, once the first one is needed. */
  wrkScriptDir: string | undefined;
}

/** A run's Bench: the whole `--quiet-wait` budget left, no wrk scripts yet. */
export function createBench(options: BenchOptions, processes: Processes): Bench {
  return { options, processes, quietBudgetMs: options.quietWaitSec * 1_000, wrkScriptDir: undefined };
}
