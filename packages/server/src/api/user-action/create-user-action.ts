import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createUserAction } from '../../identity/user-actions/user-actions.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { userActionBody, userActionIdParams, userActionJson } from './user-action-json.ts';

type Request = FastifyRequest<{ Body: { userAction: unknown }; Params: { userActionId?: string } }>;

/** POST /api/user-action[/{userActionId}] → `{"userAction": {...}}`. User actions are global, so only an unscoped key may write them (401 otherwise). */
export function registerCreateUserAction(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const action = await deps.store.transaction((repositories) => createUserAction(repositories, request.params.userActionId?.toLowerCase(), request.body.userAction, deps.now()));
    return { userAction: userActionJson(action) };
  };
  app.post('/user-action', { schema: { body: userActionBody } }, handler);
  app.post('/user-action/:userActionId', { schema: { body: userActionBody, params: userActionIdParams } }, handler);
}
