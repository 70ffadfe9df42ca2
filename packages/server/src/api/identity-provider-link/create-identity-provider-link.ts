import type { FastifyInstance, FastifyRequest } from 'fastify';
import { completePendingLink, identityProviderLinkView, linkUser, readLinkRequest } from '../../federation/identity-provider-links.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { identityProviderLinkBody } from './identity-provider-link-json.ts';

type Request = FastifyRequest<{ Body: Record<string, unknown> | undefined }>;

/**
 * POST /api/identity-provider/link → `{"identityProviderLink": {...}}`: links a user to an upstream account
 * (1.43 wrapped form or the older flat form), or completes a pending link given `pendingIdPLinkId`.
 */
export function registerCreateIdentityProviderLink(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  app.post('/identity-provider/link', { schema: { body: identityProviderLinkBody } }, async (request: Request) => {
    const body = request.body ?? {};
    const scope = requestTenantId(request, deps.callers.get(request));
    const now = deps.now();
    const { link, provider } = await deps.store.transaction((repositories) => {
      const pendingId = body['pendingIdPLinkId'];
      if (typeof pendingId === 'string' && pendingId !== '') {
        const wrapped = body['identityProviderLink'] as Record<string, unknown> | undefined;
        return completePendingLink(repositories, deps.keyRing, { pendingId, userId: wrapped?.['userId'] ?? body['userId'] }, scope, now);
      }
      return linkUser(repositories, deps.keyRing, readLinkRequest(body), scope, now);
    });
    return { identityProviderLink: identityProviderLinkView(deps.keyRing, link, provider) };
  });
}
