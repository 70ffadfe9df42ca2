import type pg from 'pg';

/** Distinct statement texts a process prepares; dynamic texts beyond this run unprepared. */
const defaultMaxStatements = 2_000;

/**
 * Makes every pooled connection run Kysely's parameterized statements as named prepared statements, so
 * PostgreSQL parses and plans each distinct text once per connection instead of on every request (the
 * hot paths' joined reads cost more to plan than to run). Kysely calls `client.query(text, values)`; the
 * text is given a stable name the first time it is seen. Texts are bounded: a query built with a varying
 * number of parameters (IN lists) could otherwise prepare without end, so past `maxStatements` distinct
 * texts new ones run unnamed.
 */
export function prepareStatements(pool: pg.Pool, maxStatements = defaultMaxStatements): void {
  const names = new Map<string, string>();
  const nameFor = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < maxStatements) {
      name = `gatehouse_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  pool.on('connect', (client: pg.PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? nameFor(text) : undefined;
      return name === undefined ? query(...args) : query({ name, text, values });
    }) as typeof client.query;
  });
}
