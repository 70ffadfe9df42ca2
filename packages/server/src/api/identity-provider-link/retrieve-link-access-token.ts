import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { LinkAccessTokens } from '../../vault/link-access-tokens.ts';
import { VaultError } from '../../vault/vault-error.ts';
import type { ApiCallers } from '../api-callers.ts';
import { dropAbsentQueryValues } from '../entity/query-parameters.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { mayReadTokens, readLinkQuery, vaultEndpoint, type LinkQuery } from './identity-provider-link-json.ts';

const querystring = {
  type: 'object',
  properties: {
    userId: { type: 'string', maxLength: 64 },
    identityProviderId: { type: 'string', maxLength: 64 },
    identityProviderUserId: { type: 'string', maxLength: 1024 },
    forceRefresh: { type: 'boolean', default: false },
  },
} as const;

type TokenQuery = LinkQuery & { readonly forceRefresh: boolean };

/**
 * GET /api/identity-provider/link/token?userId=&identityProviderId=[&identityProviderUserId=][&forceRefresh=true]
 * (Gatehouse extension, docs/hub.md): a fresh upstream access token for one of the user's links —
 * `identityProviderUserId` picks the account when the user linked several of the provider's.
 * `{accessToken, tokenType, expiresIn, expirationInstant, scope, identityProviderUserId}`, never cached.
 * Only keys with the vault scope (unrestricted, or naming this endpoint) may call it: 401 otherwise.
 * 404: no such link (or another tenant's); 400 `[ambiguous]identityProviderUserId`: several links and none
 * chosen; 409 `[IdentityProviderReauthorizationRequired]` / `[IdentityProviderLinkRevoked]`: send the user to
 * reconnect; 503 `[IdentityProviderUnavailable]` with Retry-After: try again later.
 */
export function registerRetrieveLinkAccessToken(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; linkTokens: LinkAccessTokens }) {
  app.get<{ Querystring: TokenQuery }>(vaultEndpoint.slice('/api'.length), { schema: { querystring }, preValidation: dropAbsentQueryValues }, async (request: FastifyRequest<{ Querystring: TokenQuery }>, reply: FastifyReply) => {
    const caller = deps.callers.get(request);
    if (!mayReadTokens(caller)) throw ApiError.unauthorized();
    const scope = requestTenantId(request, caller);
    const query = readLinkQuery(request.query, ['userId', 'identityProviderId']);
    const links = await deps.store.repositories.identityProviderLinks.listByUser(query.userId!, query.identityProviderId);
    const candidates = links.filter((link) => (scope === undefined || link.tenantId === scope) && (query.identityProviderUserId === undefined || link.identityProviderUserId === query.identityProviderUserId));
    if (candidates.length === 0) throw ApiError.notFound();
    if (candidates.length > 1) throw ApiError.field('identityProviderUserId', 'ambiguous', `The user has ${candidates.length} links to this identity provider: name one with identityProviderUserId.`);
    try {
      const token = await deps.linkTokens.accessToken(candidates[0]!, { forceRefresh: request.query.forceRefresh });
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token);
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      switch (error.reason) {
        case 'upstream_unavailable':
          reply.header('retry-after', String(error.retryAfterSeconds ?? 5));
          throw ApiError.general('IdentityProviderUnavailable', error.message, 503);
        case 'revoked':
          throw ApiError.general('IdentityProviderLinkRevoked', error.message, 409);
        case 'reauthorization_required':
          throw ApiError.general('IdentityProviderReauthorizationRequired', `${error.message} Send the user to /account/connect/${candidates[0]!.identityProviderId}.`, 409);
      }
    }
  });
}
