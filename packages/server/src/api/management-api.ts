import type { FastifyInstance } from 'fastify';
import type { KeyRing } from '../keys/key-ring.ts';
import type { SigningKeys } from '../keys/signing-keys.ts';
import type { Store } from '../store/store.ts';
import { createApiCallers } from './api-callers.ts';
import { registerCreateApiKey } from './api-key/create-api-key.ts';
import { registerDeleteApiKey } from './api-key/delete-api-key.ts';
import { registerRetrieveApiKey } from './api-key/retrieve-api-key.ts';
import { authenticateApiKey } from './authenticate-api-key.ts';
import { registerCreateTenant } from './tenant/create-tenant.ts';
import { registerDeleteTenant } from './tenant/delete-tenant.ts';
import { registerRetrieveTenant } from './tenant/retrieve-tenant.ts';
import { registerUpdateTenant } from './tenant/update-tenant.ts';

export interface ManagementApiDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  readonly now: () => number;
}

/**
 * The FusionAuth-compatible management API under /api, every route behind an API key. This file is the
 * route table: one line per operation, in URL order.
 */
export async function managementApi(app: FastifyInstance, deps: ManagementApiDeps): Promise<void> {
  const callers = createApiCallers();
  app.addHook('onRequest', authenticateApiKey({ apiKeys: deps.store.repositories.apiKeys, callers, now: deps.now }));
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  registerCreateApiKey(app, { store: deps.store, callers, now: deps.now });
  registerRetrieveApiKey(app, { store: deps.store, callers });
  registerDeleteApiKey(app, { store: deps.store, callers });
  registerCreateTenant(app, { store: deps.store, callers, now: deps.now });
  registerRetrieveTenant(app, { store: deps.store, callers });
  registerUpdateTenant(app, { store: deps.store, callers, now: deps.now });
  registerDeleteTenant(app, { store: deps.store, callers });
}
