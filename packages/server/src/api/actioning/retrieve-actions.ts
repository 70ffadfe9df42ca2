import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ActionLogFilter } from '../../store/repositories/user-action-repository.ts';
import type { ApiCallers } from '../api-callers.ts';
import { findVisibleUser } from '../user/visible-user.ts';
import { actionIdParams, actionJson } from './action-json.ts';

const listQuery = {
  type: 'object',
  properties: { userId: { type: 'string', format: 'uuid' }, active: { type: 'boolean' }, preventingLogin: { type: 'boolean' } },
} as const;

type ListRequest = FastifyRequest<{ Querystring: { userId?: string; active?: boolean; preventingLogin?: boolean } }>;

/**
 * GET /api/user/action/{actionId} → `{"action"}` (404 when the actionee is outside the caller's tenant);
 * GET /api/user/action?userId= → `{"actions"}`, oldest first: all, `&active=true|false` (active: a temporal
 * action not expired or canceled), or `&preventingLogin=true` (which wins over `active`, as in FusionAuth).
 */
export function registerRetrieveActions(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const { userActions, users } = deps.store.repositories;

  app.get('/user/action/:actionId', { schema: { params: actionIdParams } }, async (request: FastifyRequest<{ Params: { actionId: string } }>) => {
    const log = await userActions.findLog(request.params.actionId.toLowerCase());
    if (log === undefined || (await findVisibleUser(request, deps.callers, users, log.actioneeUserId)) === undefined) throw ApiError.notFound();
    return { action: actionJson(log) };
  });

  app.get('/user/action', { schema: { querystring: listQuery } }, async (request: ListRequest) => {
    const { userId, active, preventingLogin } = request.query;
    if (userId === undefined) throw ApiError.field('actionId', 'missing', 'Retrieve an action by id (/api/user/action/{actionId}) or the actions of a user with ?userId=.');
    const user = await findVisibleUser(request, deps.callers, users, userId.toLowerCase());
    if (user === undefined) throw ApiError.field('userId', 'invalid', `No user has the id ${userId}.`);
    const filter: ActionLogFilter = preventingLogin === true ? 'preventingLogin' : active === undefined ? 'all' : active ? 'active' : 'inactive';
    return { actions: (await userActions.listLogs(user.id, filter, deps.now())).map(actionJson) };
  });
}
