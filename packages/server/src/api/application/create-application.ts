import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { copyApplication } from '../../tenancy/application-copy.ts';
import { validateApplication } from '../../tenancy/application-input.ts';
import { createApplication } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId, requireTenantId } from '../tenant-scope.ts';
import { applicationBody, applicationIdParams, applicationJson } from './application-json.ts';

type Request = FastifyRequest<{ Body: { application: Record<string, unknown>; sourceApplicationId?: string }; Params: { applicationId?: string } }>;

const createBody = {
  ...applicationBody,
  properties: { ...applicationBody.properties, sourceApplicationId: { type: 'string', format: 'uuid', description: 'Copy this application; only application.name is read.' } },
} as const;

/**
 * POST /api/application[/{applicationId}]. The tenant is `application.tenantId`, else the request's
 * scope (tenant-scoped key or X-FusionAuth-TenantId), else the only tenant. With `sourceApplicationId`
 * the application is a copy of that one (see application-copy.ts).
 */
export function registerCreateApplication(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    const caller = deps.callers.get(request);
    const id = request.params.applicationId?.toLowerCase();
    const scope = requestTenantId(request, caller);
    const sourceId = request.body.sourceApplicationId;
    if (sourceId !== undefined) {
      const copy = await deps.store.transaction((repositories) =>
        copyApplication(repositories, deps.keyRing, { id, sourceId, name: request.body.application['name'], scope }, deps.now()),
      );
      return { application: applicationJson(copy.application, deps.keyRing, copy.scopes) };
    }
    const input = validateApplication(request.body.application);
    const named = input.tenantId?.toLowerCase();
    if (named !== undefined && scope !== undefined && named !== scope) {
      throw ApiError.field('application.tenantId', 'invalid', 'The application must belong to the tenant this request is limited to.');
    }
    const application = await deps.store.transaction(async (repositories) => {
      const tenantId = named ?? (await requireTenantId(request, caller, repositories.tenants));
      return createApplication(repositories, deps.keyRing, { id, tenantId, input }, deps.now());
    });
    return { application: applicationJson(application, deps.keyRing, []) };
  };
  app.post('/application', { schema: { body: createBody } }, handler);
  app.post('/application/:applicationId', { schema: { body: createBody, params: applicationIdParams } }, handler);
}
