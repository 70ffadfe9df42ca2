import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationIdParams, oauthConfigurationJson } from './application-json.ts';

/**
 * GET /api/application/{id}/oauth-configuration: the application's OAuth settings plus the session and
 * logout settings of its tenant. Gatehouse requires an API key here, so the secret is always included.
 */
export function registerRetrieveOAuthConfiguration(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  app.get('/application/:applicationId/oauth-configuration', { schema: { params: applicationIdParams } }, async (request: FastifyRequest<{ Params: { applicationId: string } }>) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const application = await findApplicationInScope(deps.store.repositories, request.params.applicationId, scope);
    const tenant = application === undefined ? undefined : await deps.store.repositories.tenants.find(application.tenantId);
    if (application === undefined || tenant === undefined) throw ApiError.notFound();
    return {
      httpSessionMaxInactiveInterval: tenant.settings.httpSessionMaxInactiveInterval,
      ...(tenant.settings.logoutURL === undefined ? {} : { logoutURL: tenant.settings.logoutURL }),
      oauthConfiguration: oauthConfigurationJson(application, deps.keyRing),
    };
  });
}
