import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { changeAction, type ActionRequest } from '../../identity/user-actions/actioning.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { actionBody, actionIdParams, actionJson } from './action-json.ts';

type Request = FastifyRequest<{ Body: ActionRequest | null; Params: { actionId: string } }>;

/**
 * DELETE /api/user/action/{actionId} with `{"action": {"actionerUserId", "comment"?}}`: ends an active
 * temporal action now. The record stays (expiry = the cancel instant, the prior state in `history`),
 * as FusionAuth keeps it; the response is the canceled action.
 */
export function registerCancelAction(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.delete('/user/action/:actionId', { schema: { body: actionBody, params: actionIdParams } }, async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const change = { actionId: request.params.actionId, request: request.body ?? {}, mode: 'cancel' } as const;
    const log = await deps.store.transaction((repositories) => changeAction(repositories, change, scope, deps.now()));
    if (log === undefined) throw ApiError.notFound();
    return { action: actionJson(log) };
  });
}
