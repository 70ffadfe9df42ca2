import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { rotateClientSecret } from '../../tenancy/client-secret-rotation.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { applicationIdParams, applicationJson } from './application-json.ts';

/**
 * POST /api/application/{id}/client-secret (Gatehouse extension; FusionAuth regenerates a secret only in
 * its admin UI, or takes a caller-chosen one on PUT): generates a new client secret, which replaces the
 * old one at once. The response is the application, as PUT returns it, with the new secret.
 */
export function registerRotateClientSecret(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const schema = { params: applicationIdParams, body: { type: ['object', 'null'], description: 'None: any body is ignored.' } } as const;
  app.post('/application/:applicationId/client-secret', { schema }, async (request: FastifyRequest<{ Params: { applicationId: string } }>) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const id = request.params.applicationId.toLowerCase();
    const rotated = await deps.store.transaction(async (repositories) => {
      const result = await rotateClientSecret(repositories, deps.keyRing, { id, scope }, deps.now());
      return result && { ...result, scopes: await repositories.applicationScopes.listByApplication(id) };
    });
    if (rotated === undefined) throw ApiError.notFound();
    return { application: applicationJson(rotated.application, deps.keyRing, rotated.scopes) };
  });
}
