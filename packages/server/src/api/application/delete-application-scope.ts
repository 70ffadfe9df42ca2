import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { scopeIdParams } from './application-json.ts';

type Request = FastifyRequest<{ Params: { applicationId: string; scopeId: string } }>;

/** DELETE /api/application/{id}/scope/{scopeId}: 200 with no body. */
export function registerDeleteApplicationScope(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.delete('/application/:applicationId/scope/:scopeId', { schema: { params: scopeIdParams } }, async (request: Request, reply: FastifyReply) => {
    const tenant = requestTenantId(request, deps.callers.get(request));
    const deleted = await deps.store.transaction(async (repositories) => {
      const application = await findApplicationInScope(repositories, request.params.applicationId.toLowerCase(), tenant);
      return application !== undefined && (await repositories.applicationScopes.delete(application.id, request.params.scopeId.toLowerCase()));
    });
    if (!deleted) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
