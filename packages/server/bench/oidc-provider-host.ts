/**
 * What both oidc-provider reference servers share: the provider class (the package ships no type declarations),
 * the port, issuer and optional PostgreSQL store from the environment, and the HTTP server around the provider:
 * GET /api/status answers 200 (the readiness probe of bench/server.ts); SIGTERM and SIGINT stop it.
 */
import http from 'node:http';
import { postgresAdapter } from './oidc-provider-postgres-adapter.ts';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

const moduleName = 'oidc-provider'; // resolved at run time: no type declarations to check against

/** oidc-provider's Provider class, typed as the caller uses it. */
export async function providerClass<P>(): Promise<new (issuer: string, configuration: object) => P> {
  return ((await import(moduleName)) as { default: new (issuer: string, configuration: object) => P }).default;
}

export const port = Number(process.env['BENCH_PORT'] ?? '9500');
export const issuer = `http://127.0.0.1:${port}`;
const databaseUrl = process.env['BENCH_OIDC_DATABASE_URL'];
/** The PostgreSQL adapter when BENCH_OIDC_DATABASE_URL is set; otherwise the provider's in-process MemoryAdapter is used. */
export const adapter = databaseUrl === undefined ? undefined : await postgresAdapter(databaseUrl, Number(process.env['BENCH_OIDC_POOL_SIZE'] ?? '10'));

/** Listens on `port`: /api/status, else `handle` (the provider's callback or the caller's routes in front of it). */
export function serve(handle: Handler): void {
  const server = http.createServer((request, response) => {
    if (request.url === '/api/status') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    handle(request, response);
  });
  server.keepAliveTimeout = 72_000;
  server.listen(port, '127.0.0.1');

  const stop = () => {
    server.close();
    server.closeAllConnections();
    void (adapter?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
