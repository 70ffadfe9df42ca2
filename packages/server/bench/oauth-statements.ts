/**
 * SQL statements per authorization-code round trip and per refresh_token grant, by statement, for the
 * PostgreSQL-backed targets of bench/oauth.ts (the server runs with bench/pg-statement-counter.ts
 * preloaded). Not a timing: it shows where the database round trips of each request go.
 *   node packages/server/bench/oauth-statements.ts [--targets gatehouse-postgres,oidc-provider-postgres] [--requests 100]
 */
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Bench } from './context.ts';
import { refresh, roundTrip } from './oauth-client.ts';
import { createTargetStore, prepareTarget, type PreparedTarget, type TargetId } from './oauth-targets.ts';
import { benchDir, type BenchOptions } from './options.ts';
import { createProcesses, handleSignals, runCleanups } from './processes.ts';

const { values: args } = parseArgs({
  options: {
    targets: { type: 'string', default: 'gatehouse-postgres,oidc-provider-postgres' },
    requests: { type: 'string', default: '100' },
    'postgres-url': { type: 'string', default: process.env['BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const requests = Number(args.requests);
const processes = createProcesses();
handleSignals(processes);
const options = { postgresUrl: args['postgres-url'] } as BenchOptions;
const bench: Bench = { options, processes, quietBudgetMs: 0, wrkScriptDir: undefined };

/** Statement counts since the previous call, per request. */
async function counted(target: PreparedTarget): Promise<Array<[string, number]>> {
  const before = target.server.stderrTail.length;
  target.server.child.kill('SIGUSR2');
  for (let i = 0; i < 50; i += 1) {
    const line = target.server.stderrTail.slice(Math.max(0, before - 1)).findLast((l) => l.startsWith('PG_STATEMENTS '));
    if (line !== undefined && target.server.stderrTail.length > before) return JSON.parse(line.slice('PG_STATEMENTS '.length)) as Array<[string, number]>;
    await sleep(20);
  }
  throw new Error('the server did not report its statement counts');
}

function print(title: string, counts: Array<[string, number]>): void {
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  console.log(`\n${title}: ${(total / requests).toFixed(1)} statements per request\n`);
  console.log('| per request | statement |\n| ---: | --- |');
  for (const [text, count] of counts) console.log(`| ${(count / requests).toFixed(2)} | \`${text.replace(/\s+/g, ' ').slice(0, 160)}\` |`);
}

try {
  for (const id of args.targets.split(',') as TargetId[]) {
    const store = await createTargetStore(bench, id);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const target = await prepareTarget(bench, id, store, agent, ['--import', join(benchDir, 'pg-statement-counter.ts')]);
    try {
      await counted(target);
      for (let i = 0; i < requests; i += 1) await roundTrip(agent, target.side);
      print(`${id}, authorization-code round trip (authorize + token)`, await counted(target));
      const { tokens } = await roundTrip(agent, target.side);
      await counted(target);
      for (let i = 0; i < requests; i += 1) await refresh(agent, target.side, tokens.refresh_token ?? '');
      print(`${id}, refresh_token grant`, await counted(target));
    } finally {
      agent.destroy();
      await target.stop();
    }
  }
} finally {
  await runCleanups(processes);
}
