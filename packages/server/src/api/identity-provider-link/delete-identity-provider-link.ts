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
    const deleted = await deps.store.transaction(async (repositories) => {
      const link = await repositories.identityProviderLinks.findByUpstream(query.identityProviderId!, query.identityProviderUserId!);
      if (link === undefined || link.userId !== query.userId || (scope !== undefined && link.tenantId !== scope)) return undefined;
      if (!(await repositories.identityProviderLinks.delete(link.id))) return undefined;
      // Read for the event, in the transaction that saw the link.
      return { link, provider: await repositories.identityProviders.find(link.identityProviderId), user: await repositories.users.find(link.userId) };
    });
    if (deleted === undefined) throw ApiError.notFound();
    const { link, provider, user } = deleted;
    deps.events.emit({
      type: 'user.identity-provider.unlink',
      tenantId: link.tenantId,
      info: eventInfo(request.ip, request.headers['user-agent']),
      identityProviderLink: link,
      ...(provider === undefined ? {} : { identityProvider: provider }),
      ...(user === undefined ? {} : { user }),
    });
    return reply.code(200).send();
  });
}
