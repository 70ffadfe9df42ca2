import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { EventBus } from '../../events/event-bus.ts';
import { eventInfo } from '../../events/event-catalogue.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { dropAbsentQueryValues } from '../entity/query-parameters.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { identityProviderLinkQuery, readLinkQuery, type LinkQuery, type LinkQueryRequest } from './identity-provider-link-json.ts';

/** DELETE /api/identity-provider/link?identityProviderId=&identityProviderUserId=&userId= (all three required): 200, no body; 404 when no such link. */
export function registerDeleteIdentityProviderLink(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; events: EventBus }) {
  app.delete<{ Querystring: LinkQuery }>('/identity-provider/link', { schema: { querystring: identityProviderLinkQuery }, preValidation: dropAbsentQueryValues }, async (request: LinkQueryRequest, reply: FastifyReply) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const query = readLinkQuery(request.query, ['identityProviderId', 'identityProviderUserId', 'userId']);
    const event = await deps.store.transaction(async (repositories) => {
      const link = await repositories.identityProviderLinks.findByUpstream(query.identityProviderId!, query.identityProviderUserId!);
      if (link === undefined || link.userId !== query.userId || (scope !== undefined && link.tenantId !== scope)) return undefined;
      if (!(await repositories.identityProviderLinks.delete(link.id))) return undefined;
      const provider = await repositories.identityProviders.find(link.identityProviderId);
      const user = await repositories.users.find(link.userId);
      // In the unlink's transaction: webhooks hear of it if and only if it commits.
      return deps.events.stage(repositories, {
        type: 'user.identity-provider.unlink',
        tenantId: link.tenantId,
        info: eventInfo(request.ip, request.headers['user-agent']),
        identityProviderLink: link,
        ...(provider === undefined ? {} : { identityProvider: provider }),
        ...(user === undefined ? {} : { user }),
      });
    });
    if (event === undefined) throw ApiError.notFound();
    deps.events.publish(event);
    return reply.code(200).send();
  });
}
