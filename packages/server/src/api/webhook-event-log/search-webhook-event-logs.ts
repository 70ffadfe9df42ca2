import type { FastifyInstance, FastifyRequest } from 'fastify';
import { searchWebhookEventLog, webhookEventLogView } from '../../events/webhook-event-log.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { searchCriteriaFromQuery } from '../entity/query-parameters.ts';
import { requireGlobalCaller } from '../key/key-json.ts';

const searchBody = { type: 'object', properties: { search: { type: 'object' } } } as const;

/**
 * POST /api/system/webhook-event-log/search `{search: {event, eventType, eventResult, start, end, startRow,
 * numberOfResults}}` and GET with the same query parameters → `{webhookEventLogs, total}`. Unscoped keys only.
 */
export function registerSearchWebhookEventLogs(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, criteria: unknown) => {
    requireGlobalCaller(deps.callers, request);
    const { entries, total } = await searchWebhookEventLog(deps.store.repositories, criteria);
    return { webhookEventLogs: entries.map(webhookEventLogView), total };
  };
  app.post('/system/webhook-event-log/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search?: unknown } }>) => search(request, request.body.search ?? {}));
  app.get('/system/webhook-event-log/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
    const criteria = searchCriteriaFromQuery(request.query);
    // start and end are numbers too (searchCriteriaFromQuery converts paging numbers only).
    for (const name of ['start', 'end']) if (typeof criteria[name] === 'string' && /^\d{1,15}$/.test(criteria[name])) criteria[name] = Number(criteria[name]);
    return search(request, criteria);
  });
}
