import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import { deleteApplication, setApplicationActive } from '../../tenancy/applications.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationIdParams } from './application-json.ts';

const deleteQuery = { type: 'object', properties: { hardDelete: { type: 'boolean' } } } as const;

type Request = FastifyRequest<{ Params: { applicationId: string }; Querystring: { hardDelete?: boolean } }>;

/** DELETE /api/application/{id}: deactivates (FusionAuth's soft delete); `?hardDelete=true` removes it and its roles. */
export function registerDeleteApplication(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.delete('/application/:applicationId', { schema: { params: applicationIdParams, querystring: deleteQuery } }, async (request: Request, reply: FastifyReply) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const id = request.params.applicationId;
    const found = await deps.store.transaction(async (repositories) =>
      request.query.hardDelete === true
        ? deleteApplication(repositories, id, scope)
        : (await setApplicationActive(repositories, id, false, scope, deps.now())) !== undefined,
    );
    if (!found) throw ApiError.notFound();
    return reply.code(200).send();
  });
}
