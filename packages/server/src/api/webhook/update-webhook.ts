import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { updateWebhook, webhookView } from '../../events/webhooks.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { webhookBody, webhookIdParams } from './webhook-json.ts';

type Route = { Params: { webhookId: string } };

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/webhook/{webhookId}. Unscoped keys only. */
export function registerUpdateWebhook(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: FastifyRequest<Route>) => {
    requireGlobalCaller(deps.callers, request);
    const { mode, body } = requestedUpdate(request, method, 'webhook');
    const id = request.params.webhookId.toLowerCase();
    const webhook = await deps.store.transaction((repositories) => updateWebhook(repositories, deps.keyRing, { id, body, mode }, deps.now()));
    if (webhook === undefined) throw ApiError.notFound();
    return { webhook: webhookView(deps.keyRing, webhook) };
  };
  const schema = { body: webhookBody, params: webhookIdParams };
  app.put('/webhook/:webhookId', { schema }, handler('put'));
  app.patch<Route>('/webhook/:webhookId', patchRoute(schema), handler('patch'));
}
