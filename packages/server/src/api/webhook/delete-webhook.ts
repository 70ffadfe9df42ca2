import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { webhookIdParams } from './webhook-json.ts';

/** DELETE /api/webhook/{webhookId}: 200, no body; 404 when unknown. Its pending and dead-lettered deliveries go with it. */
export function registerDeleteWebhook(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.delete('/webhook/:webhookId', { schema: { params: webhookIdParams } }, async (request: FastifyRequest<{ Params: { webhookId: string } }>, reply: FastifyReply) => {
    requireGlobalCaller(deps.callers, request);
    if (!(await deps.store.repositories.webhooks.delete(request.params.webhookId.toLowerCase()))) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
