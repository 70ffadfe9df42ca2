import type { FastifyInstance, FastifyRequest } from 'fastify';
import { takeAction, type ActionRequest } from '../../identity/user-actions/actioning.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { actionBody, actionJson } from './action-json.ts';

/**
 * POST /api/user/action → `{"action": {...}}`. The actionee and actioner must be users the caller's
 * tenant scope can see; another tenant's user answers like a missing one (`[invalid]action.actioneeUserId`).
 */
export function registerTakeAction(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.post('/user/action', { schema: { body: actionBody } }, async (request: FastifyRequest<{ Body: ActionRequest | null }>) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const log = await deps.store.transaction((repositories) => takeAction(repositories, request.body ?? {}, scope, deps.now()));
    return { action: actionJson(log) };
  });
}
