import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { setUserActionActive, updateUserAction } from '../../identity/user-actions/user-actions.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { userActionBody, userActionIdParams, userActionJson } from './user-action-json.ts';

type Request = FastifyRequest<{ Body: { userAction?: unknown } | null; Params: { userActionId: string }; Querystring: { reactivate?: boolean } }>;

// PUT ?reactivate=true carries no body (FusionAuth's client sends none), so the wrapper is optional there.
const putBody = { type: ['object', 'null'], properties: userActionBody.properties } as const;
const putQuery = { type: 'object', properties: { reactivate: { type: 'boolean' } } } as const;

/** PUT (replace) and PATCH (merge) /api/user-action/{id}; PUT ?reactivate=true reactivates instead. */
export function registerUpdateUserAction(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (mode: 'replace' | 'merge') => async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const id = request.params.userActionId.toLowerCase();
    const reactivate = mode === 'replace' && request.query.reactivate === true;
    const body = request.body?.userAction;
    if (!reactivate && body === undefined) throw ApiError.field('userAction', 'blank', 'The request needs a userAction object.');
    const action = await deps.store.transaction((repositories) =>
      reactivate ? setUserActionActive(repositories, id, true, deps.now()) : updateUserAction(repositories, { id, body, mode }, deps.now()),
    );
    if (action === undefined) throw ApiError.notFound();
    return { userAction: userActionJson(action) };
  };
  app.put('/user-action/:userActionId', { schema: { body: putBody, params: userActionIdParams, querystring: putQuery } }, handler('replace'));
  app.patch('/user-action/:userActionId', { schema: { body: userActionBody, params: userActionIdParams } }, handler('merge'));
}
