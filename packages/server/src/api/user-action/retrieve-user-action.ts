import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { userActionIdParams, userActionJson } from './user-action-json.ts';

const listQuery = { type: 'object', properties: { inactive: { type: 'boolean' } } } as const;

/** GET /api/user-action lists the active actions (`?inactive=true`: only the inactive ones); GET /api/user-action/{id} returns one whatever its state. */
export function registerRetrieveUserAction(app: FastifyInstance, deps: { store: Store }) {
  app.get('/user-action', { schema: { querystring: listQuery } }, async (request: FastifyRequest<{ Querystring: { inactive?: boolean } }>) => {
    const actions = await deps.store.repositories.userActions.list(request.query.inactive !== true);
    return { userActions: actions.map(userActionJson) };
  });

  app.get('/user-action/:userActionId', { schema: { params: userActionIdParams } }, async (request: FastifyRequest<{ Params: { userActionId: string } }>) => {
    const action = await deps.store.repositories.userActions.find(request.params.userActionId.toLowerCase());
    if (action === undefined) throw ApiError.notFound();
    return { userAction: userActionJson(action) };
  });
}
