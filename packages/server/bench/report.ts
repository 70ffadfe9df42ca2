/** The raw results (the JSON file) and the markdown report made from them. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Memory } from './cpu-sampling.ts';
import { disturbedPct, serverDir } from './options.ts';
import type { StartupSummary } from './startup.ts';
import { aggregate, isDisturbed, type LoadRow } from './throughput.ts';
import { fmt } from './util.ts';

export interface ServerMemory {
  readonly server: string;
  readonly logLevel: string;
  readonly afterLoad: Memory | undefined;
}

export interface BackendResult {
  first?: StartupSummary;
  warm?: StartupSummary;
}

export interface Results {
  readonly date: string;
  readonly machine: Record<string, string | number>;
  readonly settings: Record<string, string | number | boolean>;
  readonly startup: { embedded: BackendResult; postgres: BackendResult };
  readonly load: LoadRow[];
  readonly memory: ServerMemory[];
  readonly failures: string[];
}

export function gitCommit(): string {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: serverDir, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

/** Whether src/ had uncommitted changes while measuring (other people may be editing it). */
export function sourceState(): string {
  const result = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: serverDir, encoding: 'utf8' });
  if (result.status !== 0) return 'unknown';
  const changed = result.stdout.split('\n').filter((line) => line.trim() !== '').length;
  return changed === 0 ? 'clean' : `${changed} uncommitted change(s) in src/`;
}

export function wrkVersion(wrkPath: string | undefined): string {
  if (wrkPath === undefined) return 'not used';
  const result = spawnSync(wrkPath, ['-v'], { encoding: 'utf8' });
  return /wrk\s+([^\s]+)/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown';
}

export function autocannonVersion(): string {
  try {
    const file = join(serverDir, '..', '..', 'node_modules', 'autocannon', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}


function startupRow(label: string, summary: StartupSummary | undefined): string {
  if (summary === undefined) return `| ${label} | not measured | | | | |`;
  const spread = summary.runs > 1 ? ` (${fmt(summary.readyMs.min)}–${fmt(summary.readyMs.max)})` : '';
  const logged = summary.loggedStartupMs === undefined ? '–' : `${fmt(summary.loggedStartupMs.median)} ms`;
  return `| ${label} | ${fmt(summary.readyMs.median)} ms${spread} | ${logged} | ${fmt(summary.idleRssMb)} MB | ${fmt(summary.stopMs)} ms | ${fmt(summary.othersCpuPctMax)}% |`;
}

/** A report's last sections: the measurements other work on the machine may have disturbed, then the failures (first lines). */
export function closingSections(disturbed: readonly string[], failures: readonly string[]): string[] {
  const lines: string[] = [];
  if (disturbed.length > 0) lines.push('', '### Measurements other work on the machine may have disturbed', '', ...disturbed.map((line) => `- ${line}`));
  if (failures.length > 0) lines.push('', '### Failures', '', ...failures.map((failure) => `- ${failure.split('\n')[0]}`));
  return lines;
}

export function markdown(results: Results): string {
  const lines: string[] = [];
  const setting = (name: string) => Number(results.settings[name]);
  const m = results.machine;
  lines.push(`Machine: ${m['cpus']} × ${m['cpuModel']}, ${m['memoryGb']} GiB, Linux ${m['kernel']}, Node ${m['node']}; ${m['commit'] === '' ? m['source'] : `commit ${m['commit']} (${m['source']})`}; ${results.date}`);
  lines.push('');
  lines.push('### Start-up and idle memory');
  lines.push('');
  lines.push(`| Scenario | Spawn → first 200 on /api/status | startupMs logged by the server | Idle RSS (after ${fmt(setting('idleMs') / 1_000, 1)} s) | SIGTERM → exit | Other CPU (max) |`);
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  lines.push(startupRow('Embedded (PGlite), cold: new data dir', results.startup.embedded.first));
  lines.push(startupRow(`Embedded, warm restart (median of ${results.startup.embedded.warm?.runs ?? 0}, min–max)`, results.startup.embedded.warm));
  lines.push(startupRow('PostgreSQL, first start: empty database', results.startup.postgres.first));
  lines.push(startupRow(`PostgreSQL, warm restart (median of ${results.startup.postgres.warm?.runs ?? 0}, min–max)`, results.startup.postgres.warm));
  lines.push('');
  if (results.load.length > 0) {
    lines.push(`### Throughput (${setting('connections')} connections, ${setting('durationSec')} s per run, ${setting('repeats')} runs per case)`);
    lines.push('');
    lines.push('| Server | Path | Log level | Pipelining | Loader | req/s (median) | min–max | Runs | p50 | p99 | Server CPU | Loader CPU | PostgreSQL CPU | Other CPU | Steal | Errors |');
    lines.push('| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of results.load) {
      const digits = row.loader === 'wrk' ? 2 : 0;
      lines.push(
        `| ${row.server} | ${row.path} | ${row.logLevel} | ${row.pipelining} | ${row.loader} | ${fmt(row.reqPerSec)} | ${fmt(row.reqPerSecMin)}–${fmt(row.reqPerSecMax)} | ${row.runsUsed}/${row.runs.length} | ${fmt(row.latencyMs.p50, digits)} ms | ` +
          `${fmt(row.latencyMs.p99, digits)} ms | ${fmt(row.serverCpuPct)}% | ${fmt(row.loaderCpuPct)}% | ${row.databaseCpuPct === undefined ? '' : `${fmt(row.databaseCpuPct)}%`} | ${fmt(row.othersCpuPct)}% | ${fmt(row.stealPct)}% | ${row.runs.reduce((sum, run) => sum + run.errors + run.non2xx, 0)} |`,
      );
    }
    lines.push('');
    lines.push(
      '"Runs": how many runs the median and min–max are over, of those made: runs during which other processes or hypervisor steal took ' +
        `${disturbedPct} % of a core or more are left out while undisturbed ones exist. ` +
        'Latency and CPU columns are from the median run. CPU is percent of one core (200% = both cores), sampled during the run; ' +
        '"Other CPU" is everything else on the machine (this driver included), "Steal" the time the hypervisor ran something else on our cores. ' +
        'autocannon latencies have whole-millisecond resolution; with pipelining, wrk times a batch of 10.',
    );
    lines.push('');
  }
  if (results.memory.length > 0) {
    lines.push('| Server after its load runs | Log level | RSS | Peak RSS (VmHWM) |');
    lines.push('| --- | --- | ---: | ---: |');
    for (const entry of results.memory) {
      lines.push(`| ${entry.server} | ${entry.logLevel} | ${fmt(entry.afterLoad?.rssMb)} MB | ${fmt(entry.afterLoad?.hwmMb)} MB |`);
    }
    lines.push('');
  }
  lines.push('### Targets');
  lines.push('');
  const warm = results.startup.embedded.warm;
  if (warm !== undefined) {
    lines.push(`- Restart on an existing embedded store < 1,500 ms: median ${fmt(warm.readyMs.median)} ms, worst ${fmt(warm.readyMs.max)} ms → ${warm.readyMs.median < 1_500 ? (warm.readyMs.max < 1_500 ? 'met' : 'met by the median, not by every run') : 'MISSED'}`);
  }
  for (const server of ['embedded', 'postgres']) {
    const jwksRows = results.load.filter((r) => r.server === server && r.endpoint === 'jwks' && r.pipelining === 1 && r.logLevel === 'warn');
    if (jwksRows.length === 0) continue;
    const best = Math.max(...jwksRows.map((r) => r.reqPerSec));
    lines.push(
      `- JWKS ≥ 20,000 req/s (${server}, pipelining 1, log level warn): ${jwksRows.map((r) => `${r.loader} ${fmt(r.reqPerSec)}`).join(', ')} (medians) → ${best >= 20_000 ? 'met' : 'MISSED'}`,
    );
  }
  const disturbed: string[] = [];
  for (const [name, backend] of Object.entries(results.startup)) {
    for (const summary of [backend.first, backend.warm]) {
      for (const sample of summary?.samples ?? []) {
        if ((sample.othersCpuPct ?? 0) >= disturbedPct) disturbed.push(`${name} start-up (${sample.readyMs} ms): other processes ${sample.othersCpuPct}%`);
      }
    }
  }
  for (const row of results.load) {
    if (row.runsUsed !== row.runs.length) continue; // disturbed runs were left out of this row
    for (const run of row.runs) {
      if (isDisturbed(run)) {
        disturbed.push(`${row.server} ${row.path} (${row.logLevel}) p${row.pipelining} ${row.loader} (${fmt(run.reqPerSec)} req/s): other processes ${fmt(run.othersCpuPct)}%, steal ${fmt(run.stealPct)}%`);
      }
    }
  }
  lines.push(...closingSections(disturbed, results.failures));
  return lines.join('\n');
}

/** `--report FILE`: the markdown of an earlier run, its rows aggregated again from their raw runs. */
export function report(file: string): number {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const load = saved.load.map((row) => aggregate(row)).filter((row): row is LoadRow => row !== undefined);
  console.log(markdown({ ...saved, load }));
  return 0;
}
