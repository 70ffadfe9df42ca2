import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { auditLogJson, logId, logIdParams } from './log-json.ts';

/** GET /api/system/audit-log/{auditLogId} → `{auditLog}`; 404 for an unknown (or non-numeric) id. */
export function registerRetrieveAuditLog(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/system/audit-log/:auditLogId', { schema: { params: logIdParams('auditLogId') } }, async (request: FastifyRequest<{ Params: { auditLogId: string } }>) => {
    requireGlobalCaller(deps.callers, request);
    const id = logId(request.params.auditLogId);
    const entry = id === undefined ? undefined : await deps.store.repositories.auditLogs.find(id);
    if (entry === undefined) throw ApiError.notFound();
    return { auditLog: auditLogJson(entry) };
  });
}
