import type { EventBus } from '../../events/event-bus.ts';
import { eventInfo } from '../../events/event-catalogue.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { setUserActive, updateUser } from '../../identity/users/users.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { userBody, userIdParams, userJson } from './user-json.ts';
import { findVisibleUser } from './visible-user.ts';

const updateQuery = { type: 'object', properties: { reactivate: { type: 'boolean' } } } as const;

interface Route {
  Params: { userId: string };
  Querystring: { reactivate?: boolean };
}

type Request = FastifyRequest<Route>;

/**
 * PUT (replace) and PATCH (merge patch or JSON Patch) /api/user/{userId}; PUT ?reactivate=true (no body)
 * undoes a soft delete. PUT's body is checked here rather than by the route schema because reactivation
 * sends none.
 */
export function registerUpdateUser(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number; events: EventBus }) {
  const handler = (method: 'put' | 'patch') => async (request: Request) => {
    const reactivate = method === 'put' && request.query.reactivate === true;
    const { mode, body } = requestedUpdate(request, method, 'user');
    if (!reactivate && mode !== 'json-patch' && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      throw ApiError.field('user', body === undefined ? 'blank' : 'invalid', 'The request body must hold a [user] object.');
    }
    const user = await deps.store.transaction(async (repositories) => {
      const existing = await findVisibleUser(request, deps.callers, repositories.users, request.params.userId);
      if (existing === undefined) return undefined;
      const updated = reactivate ? await setUserActive(repositories, existing, true, deps.now()) : await updateUser(repositories, existing, body, mode, deps.now());
      const info = eventInfo(request.ip, request.headers['user-agent']);
      const event = reactivate
        ? await deps.events.stage(repositories, { type: 'user.reactivate', tenantId: updated.tenantId, info, user: updated })
        : await deps.events.stage(repositories, { type: 'user.update', tenantId: updated.tenantId, info, user: updated, original: existing });
      return { updated, event, registrations: await repositories.registrations.listByUser(updated.id) };
    });
    if (user === undefined) throw ApiError.notFound();
    deps.events.publish(user.event);
    return { user: userJson(user.updated, user.registrations) };
  };
  const schema = { params: userIdParams, querystring: updateQuery };
  app.put<Route>('/user/:userId', { schema }, handler('put'));
  app.patch<Route>('/user/:userId', patchRoute({ ...schema, body: userBody }), handler('patch'));
}
