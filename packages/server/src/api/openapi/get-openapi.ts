import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * GET /api/openapi.json, open like /api/status: the document describes routes, never data. Built from
 * the route schemas by http/openapi.ts on first request, then served as the same text.
 */
export function registerGetOpenApi(app: FastifyInstance, deps: { openApi: { document(): string } }) {
  app.get('/api/openapi.json', async (_request, reply: FastifyReply) => {
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .send(deps.openApi.document());
  });
}
