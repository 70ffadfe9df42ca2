import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { webhookView } from '../../events/webhooks.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { webhookIdParams } from './webhook-json.ts';

/** GET /api/webhook → `{"webhooks": [...]}` oldest first; GET /api/webhook/{webhookId} → `{"webhook"}`, its HTTP Basic password included as in FusionAuth. Unscoped keys only. */
export function registerRetrieveWebhook(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  app.get('/webhook', async (request: FastifyRequest) => {
    requireGlobalCaller(deps.callers, request);
    const webhooks = await deps.store.repositories.webhooks.list();
    return { webhooks: webhooks.map((webhook) => webhookView(deps.keyRing, webhook)) };
  });

  app.get('/webhook/:webhookId', { schema: { params: webhookIdParams } }, async (request: FastifyRequest<{ Params: { webhookId: string } }>) => {
    requireGlobalCaller(deps.callers, request);
    const webhook = await deps.store.repositories.webhooks.find(request.params.webhookId.toLowerCase());
    if (webhook === undefined) throw ApiError.notFound();
    return { webhook: webhookView(deps.keyRing, webhook) };
  });
}
