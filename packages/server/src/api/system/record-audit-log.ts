import type { FastifyInstance, FastifyRequest } from 'fastify';
import { describeChange, isAudited, parseJsonBody } from '../../events/audit-log.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';

interface Captured {
  oldValue?: unknown;
  body?: string | Buffer;
}

/**
 * Hooks of the management API that write the audit log (events/audit-log.ts) for every successful change.
 * Added to the management API's own instance (not a child plugin) so they see all of its routes.
 * - preHandler (PUT, PATCH, DELETE of one resource): the old value, read by injecting a GET of the same
 *   path with the caller's own credentials, when such a route exists. A GET never triggers this, so the
 *   inject cannot recurse; a 404 or a non-JSON answer leaves no old value.
 * - onSend: keeps the response text (the new value), parsed only after the response has gone.
 * - onResponse: one insert, after the client has its answer. A failed write is logged, never the
 *   request's failure.
 */
export function registerAuditLogHooks(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }): void {
  const captured = new WeakMap<FastifyRequest, Captured>();

  app.addHook('preHandler', async (request) => {
    const route = request.routeOptions.url;
    if (route === undefined || !isAudited(request.method, route)) return;
    const state: Captured = {};
    captured.set(request, state);
    if (request.method === 'POST' || !route.includes('/:') || !app.hasRoute({ method: 'GET', url: route })) return;
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'x-fusionauth-tenantid']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const response = await app.inject({ method: 'GET', url: request.url, headers });
      if (response.statusCode === 200 && String(response.headers['content-type'] ?? '').startsWith('application/json')) state.oldValue = parseJsonBody(response.body);
    } catch (error) {
      request.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'audit log: the old value could not be read');
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const state = captured.get(request);
    if (state !== undefined && reply.statusCode < 300 && (typeof payload === 'string' || Buffer.isBuffer(payload))) state.body = payload;
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const state = captured.get(request);
    const route = request.routeOptions.url;
    if (state === undefined || route === undefined || reply.statusCode < 200 || reply.statusCode >= 300) return;
    try {
      const entry = describeChange({
        method: request.method,
        path: (request.url.split('?')[0] ?? request.url).replace(/(.)\/+$/, '$1'),
        routePattern: route,
        params: Object.values((request.params ?? {}) as Record<string, string>),
        apiKeyId: deps.callers.find(request)?.id,
        oldValue: state.oldValue,
        newValue: parseJsonBody(state.body),
        instant: deps.now(),
      });
      await deps.store.repositories.auditLogs.insert(entry);
    } catch (error) {
      // The message only: a driver error's details could quote the row, and the row quotes the resource.
      request.log.error({ error: error instanceof Error ? error.message : String(error) }, 'audit log entry not written');
    }
  });
}
