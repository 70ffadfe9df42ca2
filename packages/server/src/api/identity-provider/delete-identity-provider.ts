import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { identityProviderIdParams } from './identity-provider-json.ts';

/** DELETE /api/identity-provider/{identityProviderId}: 200, no body; 404 when unknown. */
export function registerDeleteIdentityProvider(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  app.delete(
    '/identity-provider/:identityProviderId',
    { schema: { params: identityProviderIdParams } },
    async (request: FastifyRequest<{ Params: { identityProviderId: string } }>, reply: FastifyReply) => {
      requireGlobalCaller(deps.callers, request);
      if (!(await deps.store.repositories.identityProviders.delete(request.params.identityProviderId.toLowerCase()))) throw ApiError.notFound();
      return reply.code(200).send();
    },
  );
}
