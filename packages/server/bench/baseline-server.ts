/**
 * Reference servers for the benchmark, serving the same two paths as Gatehouse with a constant body:
 *   bare     Fastify, no logger, synchronous handlers (the "bare Fastify" anchor)
 *   headers  the same plus Gatehouse's own security-header registration (src/http/security-headers.ts,
 *            whatever it is at the time)
 *   helmet   the same plus @fastify/helmet with the options Gatehouse used up to commit 638c4fd, when
 *            that package is installed (it is what precomputed headers were measured against)
 * Usage: BENCH_PORT=9400 node bench/baseline-server.ts bare|headers|helmet. Stops on SIGTERM.
 * Exits with code 3 when the variant cannot run here (helmet not installed).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerSecurityHeaders } from '../src/http/security-headers.ts';

const variant = process.argv[2] ?? 'bare';
if (variant !== 'bare' && variant !== 'headers' && variant !== 'helmet') {
  console.error(`baseline-server: unknown variant "${variant}" (bare, headers, helmet)`);
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

/** @fastify/helmet as Gatehouse registered it; undefined when the package is not installed. */
async function registerHelmet(app: FastifyInstance): Promise<boolean> {
  const name = '@fastify/helmet'; // not a dependency any more: resolved at run time only
  let helmet: unknown;
  try {
    helmet = ((await import(name)) as { default: unknown }).default;
  } catch {
    return false;
  }
  await app.register(helmet as Parameters<FastifyInstance['register']>[0], {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], formAction: ["'self'"], baseUri: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
  });
  return true;
}

const app = Fastify({ logger: false }) as unknown as FastifyInstance;
// `await` whether the registration is synchronous or not (it was async while it used helmet).
if (variant === 'headers') await (registerSecurityHeaders(app) as unknown as Promise<void> | undefined);
if (variant === 'helmet' && !(await registerHelmet(app))) {
  console.error('baseline-server: @fastify/helmet is not installed');
  process.exit(3);
}
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
