import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { webhookEventLogView } from '../../events/webhook-event-log.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';

const params = { type: 'object', required: ['eventId'], properties: { eventId: { type: 'string', format: 'uuid' } } } as const;

/** GET /api/system/webhook-event-log/{eventId} → `{"webhookEventLog": {...}}` (the event and its deliveries); 404 when no webhook wanted it. Unscoped keys only. */
export function registerRetrieveWebhookEventLog(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.get('/system/webhook-event-log/:eventId', { schema: { params } }, async (request: FastifyRequest<{ Params: { eventId: string } }>) => {
    requireGlobalCaller(deps.callers, request);
    const entry = await deps.store.repositories.eventOutbox.findWithDeliveries(request.params.eventId.toLowerCase());
    if (entry === undefined) throw ApiError.notFound();
    return { webhookEventLog: webhookEventLogView(entry) };
  });
}
