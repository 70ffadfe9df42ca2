/**
 * Preload (`node --import bench/pg-statement-counter.ts ...`) that counts the SQL statements a server
 * sends through `pg`, by text. On SIGUSR2 it writes one line `PG_STATEMENTS <json [text, count][]>` to
 * stderr and starts counting again. Used by bench/oauth-statements.ts; bench use only.
 */
import { createRequire } from 'node:module';

interface QueryConfig {
  readonly text?: string;
}
type Query = (this: unknown, config: string | QueryConfig, ...rest: unknown[]) => unknown;

// The server's own `pg` (CommonJS, whatever way it is imported): the same Client class.
const pg = createRequire(import.meta.url)('pg') as { Client: { prototype: { query: Query } } };
const counts = new Map<string, number>();
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === 'string' ? config : (config.text ?? '?');
  counts.set(text, (counts.get(text) ?? 0) + 1);
  return original.call(this, config, ...rest);
};
process.on('SIGUSR2', () => {
  process.stderr.write(`PG_STATEMENTS ${JSON.stringify([...counts].sort((a, b) => b[1] - a[1]))}\n`);
  counts.clear();
});
