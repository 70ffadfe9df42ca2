import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createUser, type CreateUserRequest } from '../../identity/users/users.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { userBody, userIdParams, userJson } from './user-json.ts';

interface Route {
  Body: CreateUserRequest;
  Params: { userId?: string };
}

type Request = FastifyRequest<Route>;

/**
 * POST /api/user[/{userId}]. The tenant comes from the scoped key or X-FusionAuth-TenantId, else
 * `user.tenantId`, else the only tenant. `sendSetPasswordEmail` allows a user without a password; no
 * email is sent yet (Gatehouse has no mail delivery).
 */
export function registerCreateUser(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const user = await deps.store.transaction((repositories) => createUser(repositories, scope, request.params.userId, request.body, deps.now()));
    return { user: userJson(user) };
  };
  app.post<Route>('/user', { schema: { body: userBody } }, handler);
  app.post<Route>('/user/:userId', { schema: { body: userBody, params: userIdParams } }, handler);
}
