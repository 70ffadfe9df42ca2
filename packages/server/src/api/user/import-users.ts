import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { importUsers, type ImportRequest } from '../../identity/users/import-users.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';

/**
 * POST /api/user/import: all users in one transaction, or none. `200` with no body, as FusionAuth answers.
 * Hashing plaintext passwords happens inside the transaction so the whole import is one change; that
 * holds the connection ~10 ms per plaintext user, which is why hashes are the fast way to import.
 */
export function registerImportUsers(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  const body = { type: 'object' } as const;
  app.post<{ Body: ImportRequest }>('/user/import', { schema: { body } }, async (request: FastifyRequest<{ Body: ImportRequest }>, reply: FastifyReply) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    await deps.store.transaction((repositories) => importUsers(repositories, scope, request.body, deps.now()));
    return reply.code(200).send();
  });
}
