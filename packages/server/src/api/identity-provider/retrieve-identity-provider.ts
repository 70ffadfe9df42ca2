import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityProviderView } from '../../federation/identity-providers.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { identityProviderIdParams } from './identity-provider-json.ts';

// Any string: FusionAuth answers an unknown type with an empty list, and so does Gatehouse.
const listQuery = { type: 'object', properties: { type: { type: 'string', maxLength: 64 } } } as const;

/** GET /api/identity-provider[?type=OpenIDConnect] lists by name; GET /api/identity-provider/{id} returns one, client secret included as in FusionAuth. */
export function registerRetrieveIdentityProvider(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing }) {
  app.get('/identity-provider', { schema: { querystring: listQuery } }, async (request: FastifyRequest<{ Querystring: { type?: string } }>) => {
    const providers = await deps.store.repositories.identityProviders.list(request.query.type);
    return { identityProviders: providers.map((provider) => identityProviderView(deps.keyRing, provider)) };
  });

  app.get('/identity-provider/:identityProviderId', { schema: { params: identityProviderIdParams } }, async (request: FastifyRequest<{ Params: { identityProviderId: string } }>) => {
    const provider = await deps.store.repositories.identityProviders.find(request.params.identityProviderId.toLowerCase());
    if (provider === undefined) throw ApiError.notFound();
    return { identityProvider: identityProviderView(deps.keyRing, provider) };
  });
}
