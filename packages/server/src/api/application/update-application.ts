import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { setApplicationActive, updateApplication } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationBody, applicationIdParams, applicationJson } from './application-json.ts';

type Route = { Params: { applicationId: string }; Querystring: { reactivate?: boolean } };
type Request = FastifyRequest<Route>;

// PUT ?reactivate=true carries no body (FusionAuth's client sends none), so the wrapper is optional there.
const putBody = { type: ['object', 'null'], properties: applicationBody.properties } as const;
const putQuery = { type: 'object', properties: { reactivate: { type: 'boolean' } } } as const;

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/application/{id}; PUT ?reactivate=true reactivates instead. */
export function registerUpdateApplication(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const id = request.params.applicationId.toLowerCase();
    const reactivate = method === 'put' && request.query.reactivate === true;
    const { mode, body } = requestedUpdate(request, method, 'application');
    if (!reactivate && body === undefined) throw ApiError.field('application', 'blank', 'The request needs an application object.');
    const updated = await deps.store.transaction(async (repositories) => {
      const application = reactivate
        ? await setApplicationActive(repositories, id, true, scope, deps.now())
        : await updateApplication(repositories, deps.keyRing, { id, body, mode, scope }, deps.now());
      return application && { application, scopes: await repositories.applicationScopes.listByApplication(application.id) };
    });
    if (updated === undefined) throw ApiError.notFound();
    return { application: applicationJson(updated.application, deps.keyRing, updated.scopes) };
  };
  app.put('/application/:applicationId', { schema: { body: putBody, params: applicationIdParams, querystring: putQuery } }, handler('put'));
  app.patch<Route>('/application/:applicationId', patchRoute({ body: applicationBody, params: applicationIdParams }), handler('patch'));
}
