import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { updateRegistration } from '../../identity/registrations/registrations.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { userIdParams } from '../user/user-json.ts';
import { findVisibleUser } from '../user/visible-user.ts';
import { registrationJson, registrationParams } from './registration-json.ts';

type Route = { Params: { userId: string; applicationId?: string } };
type Request = FastifyRequest<Route>;

const body = { type: 'object', required: ['registration'], properties: { registration: { type: 'object' } } } as const;

/**
 * PUT (replace) and PATCH (merge patch or JSON Patch) /api/user/registration/{userId}[/{applicationId}]:
 * the URL's application id names the registration, else `registration.applicationId` (FusionAuth 1.25+).
 */
export function registerUpdateRegistration(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: Request) => {
    const update = { ...requestedUpdate(request, method, 'registration'), applicationId: request.params.applicationId };
    const registration = await deps.store.transaction(async (repositories) => {
      const user = await findVisibleUser(request, deps.callers, repositories.users, request.params.userId);
      if (user === undefined) return undefined;
      return updateRegistration(repositories, user, update, deps.now());
    });
    if (registration === undefined) throw ApiError.notFound();
    return { registration: registrationJson(registration) };
  };
  for (const [url, params] of [['/user/registration/:userId', userIdParams], ['/user/registration/:userId/:applicationId', registrationParams]] as const) {
    app.put(url, { schema: { body, params } }, handler('put'));
    app.patch<Route>(url, patchRoute({ body, params }), handler('patch'));
  }
}
