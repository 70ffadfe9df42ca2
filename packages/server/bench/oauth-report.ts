/** bench/oauth.ts's raw results (the JSON file) and the side-by-side markdown table made from them. */
import { readFileSync } from 'node:fs';
import { percentiles, type RoundTripRun } from './oauth-measure.ts';
import { targetLabels, type TargetId } from './oauth-targets.ts';
import { machineLine } from './driver-results.ts';
import { disturbedPct } from './options.ts';
import { closingSections } from './report.ts';
import { aggregate, isDisturbed, type LoadRun } from './throughput.ts';
import { fmt, median } from './util.ts';

export interface OAuthResults {
  readonly date: string;
  readonly machine: Record<string, string | number>;
  readonly settings: Record<string, string | number | boolean>;
  readonly targets: TargetId[];
  /** `shared`: every connection presents the same refresh token (otherwise one token per connection). */
  readonly refresh: Array<{ target: TargetId; connections: number; shared?: boolean; runs: LoadRun[] }>;
  readonly roundTrips: Array<{ target: TargetId; concurrency: number; runs: RoundTripRun[] }>;
  readonly failures: string[];
}

const pct = (n: number | undefined) => (n === undefined ? '–' : `${fmt(n)}%`);

function roundTripDisturbed(run: RoundTripRun): boolean {
  return (run.othersCpuPct ?? 0) >= disturbedPct || (run.stealPct ?? 0) >= disturbedPct;
}

/** The refresh row of one target: autocannon runs aggregated as bench/run.ts does (median run over the undisturbed ones). */
export interface RefreshCase {
  readonly connections: number;
  readonly shared: boolean;
}

function refreshRow(results: OAuthResults, target: TargetId, { connections, shared }: RefreshCase) {
  const entry = results.refresh.find((r) => r.target === target && r.connections === connections && (r.shared ?? false) === shared);
  if (entry === undefined || entry.runs.length === 0) return undefined;
  return aggregate({ server: target, logLevel: 'warn', endpoint: 'token', path: 'token', loader: 'autocannon', connections, pipelining: 1, runs: entry.runs });
}

/** Round trips of one target at one concurrency: samples pooled over the undisturbed runs (all runs when every one was disturbed). */
function roundTripSummary(results: OAuthResults, target: TargetId, concurrency: number) {
  const entry = results.roundTrips.find((r) => r.target === target && r.concurrency === concurrency);
  if (entry === undefined || entry.runs.length === 0) return undefined;
  const clean = entry.runs.filter((run) => !roundTripDisturbed(run));
  const used = clean.length > 0 ? clean : entry.runs;
  const middle = [...used].sort((a, b) => a.totalMs.p50 - b.totalMs.p50)[Math.floor((used.length - 1) / 2)];
  return {
    pooled: percentiles(used.flatMap((run) => run.samplesMs)),
    count: used.reduce((sum, run) => sum + run.count, 0),
    errors: entry.runs.reduce((sum, run) => sum + run.errors, 0),
    perSec: median(used.map((run) => run.perSec)),
    perSecMin: Math.min(...used.map((run) => run.perSec)),
    perSecMax: Math.max(...used.map((run) => run.perSec)),
    authorizeP50: median(used.map((run) => run.authorizeMs.p50)),
    tokenP50: median(used.map((run) => run.tokenMs.p50)),
    p50Min: Math.min(...used.map((run) => run.totalMs.p50)),
    p50Max: Math.max(...used.map((run) => run.totalMs.p50)),
    middle,
    runsUsed: used.length,
    runs: entry.runs.length,
  };
}

export function markdown(results: OAuthResults): string {
  const targets = results.targets;
  const lines: string[] = [];
  lines.push(machineLine(results.machine, results.date));
  lines.push('');
  lines.push(`| Measurement | ${targets.map((t) => targetLabels[t]).join(' | ')} |`);
  lines.push(`| --- | ${targets.map(() => '---:').join(' | ')} |`);
  const row = (label: string, cell: (target: TargetId) => string) => lines.push(`| ${label} | ${targets.map(cell).join(' | ')} |`);

  const refreshCases = [...new Map(results.refresh.map((r) => [`${r.shared === true}|${r.connections}`, { connections: r.connections, shared: r.shared ?? false }])).values()]
    .sort((a, b) => Number(a.shared) - Number(b.shared) || a.connections - b.connections);
  const caseLabel = (c: RefreshCase) => `${c.connections} connections${c.shared ? ', one token shared by all' : ''}`;
  for (const refreshCase of refreshCases) {
    const rows = new Map(targets.map((t) => [t, refreshRow(results, t, refreshCase)]));
    row(`**refresh_token grant**, ${caseLabel(refreshCase)}: req/s, median (min–max, runs)`, (t) => {
      const r = rows.get(t);
      return r === undefined ? '–' : `**${fmt(r.reqPerSec)}** (${fmt(r.reqPerSecMin)}–${fmt(r.reqPerSecMax)}, ${r.runsUsed}/${r.runs.length})`;
    });
    row('&nbsp;&nbsp;latency p50 / p99 (autocannon, whole ms)', (t) => {
      const r = rows.get(t);
      return r === undefined ? '–' : `${fmt(r.latencyMs.p50)} / ${fmt(r.latencyMs.p99)} ms`;
    });
    row('&nbsp;&nbsp;CPU: server / PostgreSQL / load generator', (t) => {
      const r = rows.get(t);
      return r === undefined ? '–' : `${pct(r.serverCpuPct)} / ${pct(r.databaseCpuPct)} / ${pct(r.loaderCpuPct)}`;
    });
    row('&nbsp;&nbsp;errors + non-2xx', (t) => {
      const r = rows.get(t);
      return r === undefined ? '–' : fmt(r.runs.reduce((sum, run) => sum + run.errors + run.non2xx, 0));
    });
  }

  const concurrencies = [...new Set(results.roundTrips.map((r) => r.concurrency))].sort((a, b) => a - b);
  for (const concurrency of concurrencies) {
    const summaries = new Map(targets.map((t) => [t, roundTripSummary(results, t, concurrency)]));
    const title = concurrency === 1 ? '**code round trip, sequential**' : `**code round trip, ${concurrency} concurrent**`;
    row(`${title}: p50 / p99 over all round trips (count)`, (t) => {
      const s = summaries.get(t);
      return s === undefined ? '–' : `**${fmt(s.pooled.p50, 2)} / ${fmt(s.pooled.p99, 2)} ms** (${fmt(s.count)})`;
    });
    row('&nbsp;&nbsp;p50 per run, min–max (runs)', (t) => {
      const s = summaries.get(t);
      return s === undefined ? '–' : `${fmt(s.p50Min, 2)}–${fmt(s.p50Max, 2)} ms (${s.runsUsed}/${s.runs})`;
    });
    row('&nbsp;&nbsp;authorize leg / token leg, p50', (t) => {
      const s = summaries.get(t);
      return s === undefined ? '–' : `${fmt(s.authorizeP50, 2)} / ${fmt(s.tokenP50, 2)} ms`;
    });
    row('&nbsp;&nbsp;round trips/s, median (min–max)', (t) => {
      const s = summaries.get(t);
      return s === undefined ? '–' : `${fmt(s.perSec)} (${fmt(s.perSecMin)}–${fmt(s.perSecMax)})`;
    });
    row('&nbsp;&nbsp;CPU: server / PostgreSQL / client', (t) => {
      const s = summaries.get(t)?.middle;
      return s === undefined ? '–' : `${pct(s.serverCpuPct)} / ${pct(s.databaseCpuPct)} / ${pct(s.loaderCpuPct)}`;
    });
    if ([...summaries.values()].some((s) => (s?.errors ?? 0) > 0)) row('&nbsp;&nbsp;failed round trips', (t) => fmt(summaries.get(t)?.errors));
  }
  lines.push('');
  lines.push(
    'Refresh: autocannon in its own process, one refresh token per connection (Reusable, so each connection presents its token again and again; ' +
      '"shared": one token for all connections), ' +
      'median run of the undisturbed ones, latency and CPU from that run. Round trips: GET authorize with the SSO session cookie → redirect with a code → ' +
      'POST token (Basic client authentication, PKCE S256), timed in this process with a keep-alive connection per worker; percentiles over the round trips ' +
      `of every undisturbed run. CPU in percent of one core (200% = both). Runs during which other processes or hypervisor steal took ${disturbedPct} % of a core or more are left out while undisturbed ones exist.`,
  );

  const gatehouse = targets.filter((t) => t.startsWith('gatehouse'));
  const references = targets.filter((t) => t.startsWith('oidc-provider'));
  if (gatehouse.length > 0 && references.length > 0) {
    lines.push('');
    lines.push('### Gatehouse against oidc-provider');
    lines.push('');
    for (const g of gatehouse) {
      for (const ref of references) {
        const parts: string[] = [];
        for (const refreshCase of refreshCases) {
          const a = refreshRow(results, g, refreshCase);
          const b = refreshRow(results, ref, refreshCase);
          if (a !== undefined && b !== undefined) parts.push(`refresh ${refreshCase.connections} conn.${refreshCase.shared ? ' (shared token)' : ''} ${fmt((a.reqPerSec / b.reqPerSec) * 100)} % of its req/s`);
        }
        for (const concurrency of concurrencies) {
          const a = roundTripSummary(results, g, concurrency);
          const b = roundTripSummary(results, ref, concurrency);
          if (a !== undefined && b !== undefined) {
            parts.push(`round trip ×${concurrency} p50 ${fmt(a.pooled.p50, 2)} vs ${fmt(b.pooled.p50, 2)} ms, p99 ${fmt(a.pooled.p99, 2)} vs ${fmt(b.pooled.p99, 2)} ms`);
          }
        }
        lines.push(`- ${targetLabels[g]} vs ${targetLabels[ref]}: ${parts.join('; ')}`);
      }
    }
  }

  const disturbed: string[] = [];
  for (const entry of results.refresh) {
    const r = refreshRow(results, entry.target, { connections: entry.connections, shared: entry.shared ?? false });
    if (r !== undefined && r.runsUsed === r.runs.length) {
      for (const run of r.runs.filter(isDisturbed)) disturbed.push(`${targetLabels[entry.target]} refresh ${entry.connections} conn.${entry.shared === true ? ' (shared token)' : ''} (${fmt(run.reqPerSec)} req/s): other processes ${pct(run.othersCpuPct)}, steal ${pct(run.stealPct)}`);
    }
  }
  for (const entry of results.roundTrips) {
    if (entry.runs.every(roundTripDisturbed)) {
      for (const run of entry.runs) disturbed.push(`${targetLabels[entry.target]} round trips ×${entry.concurrency} (p50 ${fmt(run.totalMs.p50, 2)} ms): other processes ${pct(run.othersCpuPct)}, steal ${pct(run.stealPct)}`);
    }
  }
  lines.push(...closingSections(disturbed, results.failures));
  return lines.join('\n');
}

/** `--report FILE`: the markdown of an earlier run. */
export function reportFile(file: string): number {
  console.log(markdown(JSON.parse(readFileSync(file, 'utf8')) as OAuthResults));
  return 0;
}
