import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { setApplicationActive, updateApplication } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationBody, applicationIdParams, applicationJson } from './application-json.ts';

type Request = FastifyRequest<{ Body: { application?: unknown } | null; Params: { applicationId: string }; Querystring: { reactivate?: boolean } }>;

// PUT ?reactivate=true carries no body (FusionAuth's client sends none), so the wrapper is optional there.
const putBody = { type: ['object', 'null'], properties: applicationBody.properties } as const;
const putQuery = { type: 'object', properties: { reactivate: { type: 'boolean' } } } as const;

/** PUT (replace) and PATCH (merge) /api/application/{id}; PUT ?reactivate=true reactivates instead. */
export function registerUpdateApplication(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = (mode: 'replace' | 'merge') => async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const id = request.params.applicationId.toLowerCase();
    const reactivate = mode === 'replace' && request.query.reactivate === true;
    const body = request.body?.application;
    if (!reactivate && body === undefined) throw ApiError.field('application', 'blank', 'The request needs an application object.');
    const application = await deps.store.transaction((repositories) =>
      reactivate
        ? setApplicationActive(repositories, id, true, scope, deps.now())
        : updateApplication(repositories, deps.keyRing, { id, body, mode, scope }, deps.now()),
    );
    if (application === undefined) throw ApiError.notFound();
    return { application: applicationJson(application, deps.keyRing) };
  };
  app.put('/application/:applicationId', { schema: { body: putBody, params: applicationIdParams, querystring: putQuery } }, handler('replace'));
  app.patch('/application/:applicationId', { schema: { body: applicationBody, params: applicationIdParams } }, handler('merge'));
}
