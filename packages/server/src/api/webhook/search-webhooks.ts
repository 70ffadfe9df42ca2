import type { FastifyInstance, FastifyRequest } from 'fastify';
import { searchWebhooks, webhookView } from '../../events/webhooks.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { searchCriteriaFromQuery } from '../entity/query-parameters.ts';
import { requireGlobalCaller } from '../key/key-json.ts';

const searchBody = { type: 'object', properties: { search: { type: 'object' } } } as const;

/** POST /api/webhook/search `{search: {url, description, tenantId, orderBy, startRow, numberOfResults}}` and GET with the same query parameters → `{webhooks, total}`. */
export function registerSearchWebhooks(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, criteria: unknown) => {
    requireGlobalCaller(deps.callers, request);
    const { webhooks, total } = await searchWebhooks(deps.store.repositories, criteria);
    return { webhooks: webhooks.map((webhook) => webhookView(deps.keyRing, webhook)), total };
  };
  app.post('/webhook/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search?: unknown } }>) => search(request, request.body.search ?? {}));
  app.get('/webhook/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => search(request, searchCriteriaFromQuery(request.query)));
}
