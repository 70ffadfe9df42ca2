import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { identityProviderView, updateIdentityProvider } from '../../federation/identity-providers.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requireGlobalCaller } from '../key/key-json.ts';
import { patchRoute, requestedUpdate } from '../patch-route.ts';
import { identityProviderBody, identityProviderIdParams } from './identity-provider-json.ts';

type Route = { Params: { identityProviderId: string } };

/** PUT (replace) and PATCH (merge patch or JSON Patch) /api/identity-provider/{identityProviderId}. */
export function registerUpdateIdentityProvider(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers; now: () => number }) {
  const handler = (method: 'put' | 'patch') => async (request: FastifyRequest<Route>) => {
    requireGlobalCaller(deps.callers, request);
    const { mode, body } = requestedUpdate(request, method, 'identityProvider');
    const id = request.params.identityProviderId.toLowerCase();
    const provider = await deps.store.transaction((repositories) => updateIdentityProvider(repositories, deps.keyRing, { id, body, mode }, deps.now()));
    if (provider === undefined) throw ApiError.notFound();
    return { identityProvider: identityProviderView(deps.keyRing, provider) };
  };
  const schema = { body: identityProviderBody, params: identityProviderIdParams };
  app.put('/identity-provider/:identityProviderId', { schema }, handler('put'));
  app.patch<Route>('/identity-provider/:identityProviderId', patchRoute(schema), handler('patch'));
}
