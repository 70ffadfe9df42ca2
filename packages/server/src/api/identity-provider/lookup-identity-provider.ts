import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { lookupIdentityProvider } from '../../federation/identity-providers.ts';
import type { Store } from '../../store/store.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';

// tenantId is accepted for the client's lookupIdentityProviderByTenantId; Gatehouse's providers are all global.
const querystring = {
  type: 'object',
  properties: { domain: { type: 'string', maxLength: 320 }, tenantId: { type: 'string', format: 'uuid' } },
} as const;

/**
 * GET /api/identity-provider/lookup?domain={email or domain}[&tenantId=]: open, as in FusionAuth (a login
 * page asks it before collecting a password). 200 with the enabled provider managing the domain, 404 when
 * none does. A static route: Fastify's router prefers it to /identity-provider/:identityProviderId, so
 * `lookup` is never read as an id.
 */
export function registerLookupIdentityProvider(app: FastifyInstance, deps: { store: Store }) {
  app.get(
    '/identity-provider/lookup',
    { schema: { querystring }, config: apiKeyPolicy('none') },
    async (request: FastifyRequest<{ Querystring: { domain?: string; tenantId?: string } }>) => {
      const identityProvider = await lookupIdentityProvider(deps.store.repositories, request.query.domain ?? '');
      if (identityProvider === undefined) throw ApiError.notFound();
      return { identityProvider };
    },
  );
}
