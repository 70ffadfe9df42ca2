/**
 * Platform benchmark: start-up time, idle memory and HTTP throughput of `gatehouse start` on the embedded
 * (PGlite) store and on PostgreSQL, plus bare-Fastify reference servers. See bench/README.md.
 *
 *   node packages/server/bench/run.ts [--duration 10] [--connections 50] [--warm-runs 5] [--skip postgres,wrk,baseline,info]
 *
 * Every server and load generator is a child process of this one; all are stopped (SIGTERM, then SIGKILL)
 * before it exits, the temporary data dirs are removed and the benchmark database is dropped.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname } from 'node:path';
import { baselineTargets, embedded, postgres } from './backends.ts';
import { createBench } from './context.ts';
import { parseOptions } from './options.ts';
import { createProcesses, handleSignals, killAllChildren, runCleanups, startWatchdog } from './processes.ts';
import { autocannonVersion, gitCommit, markdown, report, sourceState, wrkVersion, type Results } from './report.ts';
import { loadAll, type LoadTarget } from './throughput.ts';
import { log } from './util.ts';

const options = parseOptions();
const { durationSec, connections, warmRuns, warmupSec, repeats, idleMs, skip } = options;
const processes = createProcesses();
const bench = createBench(options, processes);

handleSignals(processes);
// Last resort: nothing should take this long (a default run is ~15 minutes plus its waits for quiet).
// About 24 load runs per repeat; allow each to be taken three times, plus start-ups and the quiet-wait budget.
const watchdogMinutes = Math.ceil(30 + (3 * repeats * 24 * (durationSec + 2)) / 60 + bench.quietBudgetMs / 60_000);
startWatchdog(processes, watchdogMinutes);


async function main(): Promise<number> {
  const results: Results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
      node: process.version,
      commit: options.source === undefined ? gitCommit() : '',
      source: options.source ?? sourceState(),
      autocannon: autocannonVersion(),
      wrk: wrkVersion(options.wrkPath),
    },
    settings: {
      durationSec,
      connections,
      warmRuns,
      warmupSec,
      repeats,
      idleMs,
      pollIntervalMs: 20,
      quietWaitSec: options.quietWaitSec,
      loadGenerator: 'autocannon in its own child process (bench/load.ts); wrk -t1 when installed',
      skipped: [...skip].join(',') || 'none',
    },
    startup: { embedded: {}, postgres: {} },
    load: [],
    memory: [],
    failures: [],
  };

  // Start-up first, one backend at a time; then every server is loaded, in turns.
  const targets: LoadTarget[] = [];
  const sections: Array<[string, (r: Results, t: LoadTarget[]) => Promise<void>]> = [];
  if (!skip.has('embedded')) sections.push(['embedded start-up', (r, t) => embedded(bench, r, t)]);
  if (!skip.has('postgres')) sections.push(['postgres start-up', (r, t) => postgres(bench, r, t)]);
  if (!skip.has('load')) {
    sections.push(['load', async (r, t) => {
      if (!skip.has('baseline')) t.push(...baselineTargets());
      await loadAll(bench, t, r);
    }]);
  }
  for (const [name, section] of sections) {
    if (processes.interrupted) break;
    log(`— ${name} —`);
    try {
      await section(results, targets);
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      results.failures.push(message);
      log(`FAILED ${message}`);
    }
  }
  killAllChildren(processes);
  await runCleanups(processes);

  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(markdown(results));
  log(`raw results written to ${options.out}`);
  return results.failures.length === 0 ? 0 : 1;
}

try {
  process.exitCode = options.report === undefined ? await main() : report(options.report);
} catch (error) {
  console.error(error);
  await runCleanups(processes);
  process.exitCode = 1;
}
