import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditLogSearch, numericCriteria } from '../../events/log-search.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { searchCriteriaFromQuery } from '../entity/query-parameters.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { auditLogJson, searchBody } from './log-json.ts';

/**
 * POST /api/system/audit-log/search `{search: {message, user, reason, start, end, orderBy, startRow,
 * numberOfResults}}` and GET with the same query parameters → `{auditLogs, total}`, newest first by default.
 */
export function registerSearchAuditLogs(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, criteria: unknown) => {
    requireGlobalCaller(deps.callers, request);
    const { entries, total } = await deps.store.repositories.auditLogs.search(auditLogSearch(criteria));
    return { auditLogs: entries.map(auditLogJson), total };
  };
  app.post('/system/audit-log/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search?: unknown } }>) => search(request, request.body.search ?? {}));
  app.get('/system/audit-log/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => search(request, numericCriteria(searchCriteriaFromQuery(request.query))));
}
