import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { KeyRing } from '../../keys/key-ring.ts';
import { insertKey, prepareGeneratedKey } from '../../keys/key-master.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import { issuerFor } from '../../oauth/tokens/issuer.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { keyBody, keyIdParams, keyJson, requireGlobalCaller } from './key-json.ts';

export interface KeyRouteDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  readonly callers: ApiCallers;
  readonly now: () => number;
}

type Request = FastifyRequest<{ Body: { key: unknown }; Params: { keyId?: string } }>;

/** What the default tenant puts in its tokens' `iss`: FusionAuth names generated certificates after it. */
async function defaultTenantIssuer(store: Store, request: FastifyRequest): Promise<string> {
  const instance = await store.repositories.instance.find();
  const tenant = instance === undefined ? undefined : await store.repositories.tenants.find(instance.defaultTenantId);
  return issuerFor(tenant?.settings ?? {}, request);
}

/**
 * POST /api/key/generate[/{keyId}]: a new key pair (with a self-signed certificate) or HMAC secret; the
 * response shows only public parts.
 */
export function registerGenerateKey(app: FastifyInstance, deps: KeyRouteDeps) {
  const handler = async (request: Request) => {
    requireGlobalCaller(deps.callers, request);
    const record = await prepareGeneratedKey(deps.keyRing, request.params.keyId, request.body.key, deps.now(), await defaultTenantIssuer(deps.store, request));
    await deps.store.transaction((repositories) => insertKey(repositories, record));
    deps.signingKeys.changed();
    return { key: keyJson(record) };
  };
  app.post('/key/generate', { schema: { body: keyBody } }, handler);
  app.post('/key/generate/:keyId', { schema: { body: keyBody, params: keyIdParams } }, handler);
}
