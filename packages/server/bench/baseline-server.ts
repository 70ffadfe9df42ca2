/**
 * Reference servers for the benchmark, serving the same two paths as Gatehouse with a constant body:
 *   bare    Fastify, no logger, synchronous handlers (the "bare Fastify" anchor)
 *   helmet  the same plus Gatehouse's own security-header registration (src/http/security-headers.ts)
 * Usage: BENCH_PORT=9400 node bench/baseline-server.ts bare|helmet. Stops on SIGTERM.
 */
import Fastify from 'fastify';
import { registerSecurityHeaders } from '../src/http/security-headers.ts';

const variant = process.argv[2] ?? 'bare';
if (variant !== 'bare' && variant !== 'helmet') {
  console.error(`baseline-server: unknown variant "${variant}" (bare, helmet)`);
  process.exit(2);
}

const jwks = JSON.stringify({
  keys: [
    {
      x: '2UfrzvENjNH9csmmuGLJu5AMMw7VTy_SnR9zuJoPh6w', y: 'iB--2LYe27rCcVINiQnxiIO9AgdaowSnC2pGjtPKX2Q',
      alg: 'ES256', crv: 'P-256', kid: 'gDC5yYI3hveI8TUiqRy0vu0k6hKoRTnWLyDGLdT0QU0', kty: 'EC', use: 'sig',
    },
  ],
});

const app = Fastify({ logger: false });
if (variant === 'helmet') await registerSecurityHeaders(app);
app.get('/api/status', (_request, reply) => {
  reply.header('cache-control', 'no-store');
  return { status: 'ok' };
});
app.get('/.well-known/jwks.json', (_request, reply) =>
  reply
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'public, max-age=60')
    .header('access-control-allow-origin', '*')
    .send(jwks),
);

const port = Number(process.env['BENCH_PORT'] ?? '9400');
await app.listen({ host: '127.0.0.1', port });
const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
