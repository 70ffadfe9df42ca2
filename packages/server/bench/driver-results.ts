/** A comparing driver's results (oauth.ts, client-credentials.ts): the machine and code they record, the report's first line, the raw JSON file. */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { serverDir } from './options.ts';
import { autocannonVersion, gitCommit, sourceState } from './report.ts';
import { log } from './util.ts';

function oidcProviderVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(serverDir, '..', '..', 'node_modules', 'oidc-provider', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The machine, Node, the code measured (`--source` or the git state) and the versions of the load generator and the reference. */
export function driverMachine(source: string | undefined): Record<string, string | number> {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    kernel: os.release(),
    node: process.version,
    commit: source === undefined ? gitCommit() : '',
    source: source ?? sourceState(),
    autocannon: autocannonVersion(),
    oidcProvider: oidcProviderVersion(),
  };
}

/** The report's first line: the machine of driverMachine and the date. */
export function machineLine(m: Record<string, string | number>, date: string): string {
  return (
    `Machine: ${m['cpus']} × ${m['cpuModel']}, Linux ${m['kernel']}, Node ${m['node']}, oidc-provider ${m['oidcProvider']}, autocannon ${m['autocannon']}; ` +
    `${m['commit'] === '' ? m['source'] : `commit ${m['commit']} (${m['source']})`}; ${date}`
  );
}

/** Writes the raw results to `out`, prints their report; the exit code: 1 when anything failed. */
export async function saveResults<R extends { readonly failures: readonly string[] }>(out: string, results: R, markdown: (results: R) => string): Promise<number> {
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(results)}\n`);
  console.log(markdown(results));
  log(`raw results written to ${out}`);
  return results.failures.length === 0 ? 0 : 1;
}
