import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { findPendingLink, linkLimit } from '../../federation/identity-provider-links.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { dropAbsentQueryValues } from '../entity/query-parameters.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { readLinkQuery } from './identity-provider-link-json.ts';

const params = { type: 'object', required: ['pendingLinkId'], properties: { pendingLinkId: { type: 'string', maxLength: 256 } } } as const;
const querystring = { type: 'object', properties: { userId: { type: 'string', maxLength: 64 } } } as const;

type Request = FastifyRequest<{ Params: { pendingLinkId: string }; Querystring: { userId?: string } }>;

/**
 * GET /api/identity-provider/link/pending/{pendingLinkId}[?userId=] → the pending upstream identity, the
 * provider's link limit for its tenant, and with `userId` how many links that user holds to the provider.
 * 404 when unknown, expired, or outside the caller's tenant.
 */
export function registerRetrievePendingIdentityProviderLink(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.get<{ Params: { pendingLinkId: string }; Querystring: { userId?: string } }>('/identity-provider/link/pending/:pendingLinkId', { schema: { params, querystring }, preValidation: dropAbsentQueryValues }, async (request: Request) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const { userId } = readLinkQuery(request.query, []);
    const repositories = deps.store.repositories;
    const pending = await findPendingLink(repositories, request.params.pendingLinkId, scope, deps.now());
    const provider = pending === undefined ? undefined : await repositories.identityProviders.find(pending.identityProviderId);
    if (pending === undefined || provider === undefined) throw ApiError.notFound();
    const linkCount = userId === undefined ? undefined : await repositories.identityProviderLinks.countByUser(userId, provider.id);
    return {
      identityProviderTenantConfiguration: { limitUserLinkCount: linkLimit(provider, pending.tenantId) },
      ...(linkCount === undefined ? {} : { linkCount }),
      pendingIdPLink: {
        displayName: pending.displayName,
        email: pending.email,
        identityProviderId: provider.id,
        identityProviderName: provider.name,
        identityProviderType: provider.type,
        identityProviderUserId: pending.identityProviderUserId,
        username: pending.username,
      },
    };
  });
}
