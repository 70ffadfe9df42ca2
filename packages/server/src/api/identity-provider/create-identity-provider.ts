import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createIdentityProvider, identityProviderView } from '../../federation/identity-providers.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { identityProviderBody, identityProviderIdParams } from './identity-provider-json.ts';

type Request = FastifyRequest<{ Body: { identityProvider: unknown }; Params: { identityProviderId?: string } }>;

/** POST /api/identity-provider[/{identityProviderId}] → `{"identityProvider": {...}}`. Providers are global: only an unscoped key may write them (401 otherwise). */
export function registerCreateIdentityProvider(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const id = request.params.identityProviderId?.toLowerCase();
    const provider = await deps.store.transaction((repositories) => createIdentityProvider(repositories, deps.keyRing, id, request.body.identityProvider, deps.now()));
    return { identityProvider: identityProviderView(deps.keyRing, provider) };
  };
  app.post('/identity-provider', { schema: { body: identityProviderBody } }, handler);
  app.post('/identity-provider/:identityProviderId', { schema: { body: identityProviderBody, params: identityProviderIdParams } }, handler);
}
