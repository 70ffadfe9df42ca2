import type { FastifyInstance, FastifyRequest } from 'fastify';
import { eventLogSearch, numericCriteria } from '../../events/log-search.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { searchCriteriaFromQuery } from '../entity/query-parameters.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { eventLogJson, searchBody } from './log-json.ts';

/**
 * POST /api/system/event-log/search `{search: {message, type, start, end, orderBy, startRow,
 * numberOfResults}}` and GET with the same query parameters → `{eventLogs, total}`, newest first by default.
 */
export function registerSearchEventLogs(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, criteria: unknown) => {
    requireGlobalCaller(deps.callers, request);
    const { entries, total } = await deps.store.repositories.eventLogs.search(eventLogSearch(criteria));
    return { eventLogs: entries.map(eventLogJson), total };
  };
  app.post('/system/event-log/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search?: unknown } }>) => search(request, request.body.search ?? {}));
  app.get('/system/event-log/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => search(request, numericCriteria(searchCriteriaFromQuery(request.query))));
}
