import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { findApplicationInScope } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationIdParams, roleIdParams } from './application-json.ts';

const byNameQuery = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 191 } } } as const;

/** DELETE /api/application/{id}/role/{roleId}, or /api/application/{id}/role?name={name}: 200 with no body. */
export function registerDeleteApplicationRole(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const remove = async (request: FastifyRequest, reply: FastifyReply, applicationId: string, role: { id: string } | { name: string }) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const deleted = await deps.store.transaction(async (repositories) => {
      const application = await findApplicationInScope(repositories, applicationId, scope);
      return application !== undefined && (await repositories.applications.deleteRole(application.id, role));
    });
    if (!deleted) throw ApiError.notFound();
    return reply.code(200).send();
  };

  app.delete('/application/:applicationId/role/:roleId', { schema: { params: roleIdParams } }, (request: FastifyRequest<{ Params: { applicationId: string; roleId: string } }>, reply) =>
    remove(request, reply, request.params.applicationId, { id: request.params.roleId }),
  );
  app.delete('/application/:applicationId/role', { schema: { params: applicationIdParams, querystring: byNameQuery } }, (request: FastifyRequest<{ Params: { applicationId: string }; Querystring: { name: string } }>, reply) =>
    remove(request, reply, request.params.applicationId, { name: request.query.name }),
  );
}
