import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { eventLogJson, logId, logIdParams } from './log-json.ts';

/** GET /api/system/event-log/{eventLogId} → `{eventLog}`; 404 for an unknown (or non-numeric) id. */
export function registerRetrieveEventLog(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/system/event-log/:eventLogId', { schema: { params: logIdParams('eventLogId') } }, async (request: FastifyRequest<{ Params: { eventLogId: string } }>) => {
    requireGlobalCaller(deps.callers, request);
    const id = logId(request.params.eventLogId);
    const entry = id === undefined ? undefined : await deps.store.repositories.eventLogs.find(id);
    if (entry === undefined) throw ApiError.notFound();
    return { eventLog: eventLogJson(entry) };
  });
}
