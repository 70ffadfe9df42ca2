import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createWebhook, webhookView } from '../../events/webhooks.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { webhookBody, webhookIdParams } from './webhook-json.ts';

type Request = FastifyRequest<{ Body: { webhook: unknown }; Params: { webhookId?: string } }>;

/** POST /api/webhook[/{webhookId}] → `{"webhook": {...}}`. Webhooks are instance-wide: only an unscoped key may manage them (401 otherwise). */
export function registerCreateWebhook(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const id = request.params.webhookId?.toLowerCase();
    const webhook = await deps.store.transaction((repositories) => createWebhook(repositories, deps.keyRing, id, request.body.webhook, deps.now()));
    return { webhook: webhookView(deps.keyRing, webhook) };
  };
  app.post('/webhook', { schema: { body: webhookBody } }, handler);
  app.post('/webhook/:webhookId', { schema: { body: webhookBody, params: webhookIdParams } }, handler);
}
