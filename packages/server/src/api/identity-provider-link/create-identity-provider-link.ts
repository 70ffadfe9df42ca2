import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventBus } from '../../events/event-bus.ts';
import { eventInfo } from '../../events/event-catalogue.ts';
import { completePendingLink, identityProviderLinkView, linkUser, readLinkRequest } from '../../federation/identity-provider-links.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { identityProviderLinkBody, mayReadTokens } from './identity-provider-link-json.ts';

type Request = FastifyRequest<{ Body: Record<string, unknown> | undefined }>;

/**
 * POST /api/identity-provider/link → `{"identityProviderLink": {...}}`: links a user to an upstream account
 * (1.43 wrapped form or the older flat form), or completes a pending link given `pendingIdPLinkId`.
 */
export function registerCreateIdentityProviderLink(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number; events: EventBus }) {
  app.post('/identity-provider/link', { schema: { body: identityProviderLinkBody } }, async (request: Request) => {
    const body = request.body ?? {};
    const scope = requestTenantId(request, deps.callers.get(request));
    const now = deps.now();
    const { link, provider, event } = await deps.store.transaction(async (repositories) => {
      const pendingId = body['pendingIdPLinkId'];
      const wrapped = body['identityProviderLink'] as Record<string, unknown> | undefined;
      const linked =
        typeof pendingId === 'string' && pendingId !== ''
          ? await completePendingLink(repositories, deps.keyRing, { pendingId, userId: wrapped?.['userId'] ?? body['userId'] }, scope, now)
          : await linkUser(repositories, deps.keyRing, readLinkRequest(body), scope, now);
      const user = await repositories.users.find(linked.link.userId);
      // In the link's transaction: webhooks hear of it if and only if it commits.
      const staged = await deps.events.stage(repositories, {
        type: 'user.identity-provider.link',
        tenantId: linked.link.tenantId,
        info: eventInfo(request.ip, request.headers['user-agent']),
        identityProviderLink: linked.link,
        identityProvider: linked.provider,
        ...(user === undefined ? {} : { user }),
      });
      return { ...linked, event: staged };
    });
    deps.events.publish(event);
    return { identityProviderLink: identityProviderLinkView(deps.keyRing, link, provider, mayReadTokens(deps.callers.get(request))) };
  });
}
