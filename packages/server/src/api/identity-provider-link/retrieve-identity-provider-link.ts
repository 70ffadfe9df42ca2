import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { dropAbsentQueryValues } from '../entity/query-parameters.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { identityProviderLinkQuery, linkViews, mayReadTokens, readLinkQuery, type LinkQuery, type LinkQueryRequest } from './identity-provider-link-json.ts';

/**
 * GET /api/identity-provider/link:
 * - `?identityProviderId=&identityProviderUserId=[&userId=]` → `{identityProviderLink}` (404 when unlinked or linked to another user);
 * - `?identityProviderId=&userId=` and `?userId=` → `{identityProviderLinks: [...]}`.
 * Links outside the caller's tenant answer as missing.
 */
export function registerRetrieveIdentityProviderLink(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  app.get<{ Querystring: LinkQuery }>('/identity-provider/link', { schema: { querystring: identityProviderLinkQuery }, preValidation: dropAbsentQueryValues }, async (request: LinkQueryRequest) => {
    const caller = deps.callers.get(request);
    const scope = requestTenantId(request, caller);
    const repositories = deps.store.repositories;
    const raw = request.query;
    const single = raw.identityProviderUserId !== undefined && raw.identityProviderUserId !== '';
    const query = readLinkQuery(raw, single ? ['identityProviderId'] : ['userId']);
    const visible = <T extends { tenantId: string }>(link: T) => scope === undefined || link.tenantId === scope;
    if (single) {
      const link = await repositories.identityProviderLinks.findByUpstream(query.identityProviderId!, query.identityProviderUserId!);
      if (link === undefined || !visible(link) || (query.userId !== undefined && link.userId !== query.userId)) throw ApiError.notFound();
      const [view] = await linkViews(repositories, deps.keyRing, [link], mayReadTokens(caller));
      return { identityProviderLink: view };
    }
    const links = (await repositories.identityProviderLinks.listByUser(query.userId!, query.identityProviderId)).filter(visible);
    return { identityProviderLinks: await linkViews(repositories, deps.keyRing, links, mayReadTokens(caller)) };
  });
}
