import type { FastifyInstance, FastifyRequest } from 'fastify';
import { manualEntry } from '../../events/audit-log.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { auditLogJson } from './log-json.ts';

const body = { type: 'object', required: ['auditLog'], properties: { auditLog: { type: 'object' } } } as const;

/**
 * POST /api/system/audit-log `{auditLog: {insertUser, message, reason, data, oldValue, newValue}}` → 200
 * `{auditLog}`: an entry written by an integration (FusionAuth's admin UI records its own this way).
 * The audit log spans every tenant: unscoped keys only.
 */
export function registerCreateAuditLog(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.post('/system/audit-log', { schema: { body } }, async (request: FastifyRequest<{ Body: { auditLog: unknown } }>) => {
    requireGlobalCaller(deps.callers, request);
    const entry = manualEntry(request.body.auditLog, deps.now());
    const id = await deps.store.repositories.auditLogs.insert(entry);
    return { auditLog: auditLogJson({ ...entry, id }) };
  });
}
