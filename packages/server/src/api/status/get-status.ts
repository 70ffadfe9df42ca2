import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Store } from '../../store/store.ts';

/**
 * GET /api/status, open to load balancers: 200 while the store answers, 503 when it does not or while
 * the server is shutting down. The app is only built after migrations, so 200 also means "migrated".
 */
export function registerGetStatus(app: FastifyInstance, deps: { store: Store }) {
  app.get('/api/status', async (_request, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    if (await deps.store.ping()) return { status: 'ok' };
    return reply.code(503).send({ status: 'unavailable' });
  });
}
