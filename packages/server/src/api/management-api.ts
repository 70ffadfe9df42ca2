import type { FastifyInstance } from 'fastify';
import { refuseNulCharacters } from '../validation/nul-characters.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { SigningKeys } from '../keys/signing-keys.ts';
import type { Store } from '../store/store.ts';
import { createApiCallers } from './api-callers.ts';
import { createApiKeyCache } from './api-key-cache.ts';
import { registerCreateApiKey } from './api-key/create-api-key.ts';
import { registerDeleteApiKey } from './api-key/delete-api-key.ts';
import { registerRetrieveApiKey } from './api-key/retrieve-api-key.ts';
import { registerUpdateApiKey } from './api-key/update-api-key.ts';
import { registerCreateApplication } from './application/create-application.ts';
import { registerCreateApplicationRole } from './application/create-application-role.ts';
import { registerDeleteApplication } from './application/delete-application.ts';
import { registerDeleteApplicationRole } from './application/delete-application-role.ts';
import { registerRetrieveApplication } from './application/retrieve-application.ts';
import { registerRetrieveOAuthConfiguration } from './application/retrieve-oauth-configuration.ts';
import { registerUpdateApplication } from './application/update-application.ts';
import { registerUpdateApplicationRole } from './application/update-application-role.ts';
import { authenticateApiKey } from './authenticate-api-key.ts';
import { registerDeleteKey } from './key/delete-key.ts';
import { registerGenerateKey } from './key/generate-key.ts';
import { registerImportKey } from './key/import-key.ts';
import { registerRetrieveKey } from './key/retrieve-key.ts';
import { registerUpdateKey } from './key/update-key.ts';
import { registerExchangeRefreshToken } from './jwt/exchange-refresh-token.ts';
import { registerRefreshTokens } from './jwt/refresh-tokens.ts';
import { registerValidateJwt } from './jwt/validate-jwt.ts';
import { registerLogin } from './login/login.ts';
import { registerLogout } from './login/logout.ts';
import { registerCreateRegistration } from './registration/create-registration.ts';
import { registerDeleteRegistration } from './registration/delete-registration.ts';
import { registerRetrieveRegistration } from './registration/retrieve-registration.ts';
import { registerUpdateRegistration } from './registration/update-registration.ts';
import { registerCreateTenant } from './tenant/create-tenant.ts';
import { registerDeleteTenant } from './tenant/delete-tenant.ts';
import { registerRetrieveTenant } from './tenant/retrieve-tenant.ts';
import { registerUpdateTenant } from './tenant/update-tenant.ts';
import { registerCreateUser } from './user/create-user.ts';
import { registerDeleteUser } from './user/delete-user.ts';
import { registerImportUsers } from './user/import-users.ts';
import { registerRetrieveUser } from './user/retrieve-user.ts';
import { registerSearchUsers } from './user/search-users.ts';
import { registerUpdateUser } from './user/update-user.ts';

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
  const apiKeyCache = createApiKeyCache({ apiKeys: deps.store.repositories.apiKeys, now: deps.now });
  app.addHook('onRequest', authenticateApiKey({ apiKeys: apiKeyCache, callers, now: deps.now }));
  // PostgreSQL cannot store U+0000: refused up front on every route, never a database error.
  app.addHook('preValidation', refuseNulCharacters);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  registerCreateApiKey(app, { store: deps.store, callers, now: deps.now });
  registerRetrieveApiKey(app, { store: deps.store, callers });
  registerUpdateApiKey(app, { store: deps.store, callers, apiKeyCache, now: deps.now });
  registerDeleteApiKey(app, { store: deps.store, callers, apiKeyCache });
  const applicationDeps = { store: deps.store, keyRing: deps.keyRing, callers, now: deps.now };
  registerCreateApplication(app, applicationDeps);
  registerRetrieveApplication(app, applicationDeps);
  registerUpdateApplication(app, applicationDeps);
  registerDeleteApplication(app, applicationDeps);
  registerRetrieveOAuthConfiguration(app, applicationDeps);
  registerCreateApplicationRole(app, applicationDeps);
  registerUpdateApplicationRole(app, applicationDeps);
  registerDeleteApplicationRole(app, applicationDeps);
  const keyDeps = { store: deps.store, keyRing: deps.keyRing, signingKeys: deps.signingKeys, callers, now: deps.now };
  registerGenerateKey(app, keyDeps);
  registerImportKey(app, keyDeps);
  registerRetrieveKey(app, keyDeps);
  registerUpdateKey(app, keyDeps);
  registerDeleteKey(app, keyDeps);
  registerCreateTenant(app, { store: deps.store, callers, now: deps.now });
  registerRetrieveTenant(app, { store: deps.store, callers });
  registerUpdateTenant(app, { store: deps.store, callers, now: deps.now });
  registerDeleteTenant(app, { store: deps.store, callers, apiKeyCache });
  const userDeps = { store: deps.store, callers, now: deps.now };
  registerCreateUser(app, userDeps);
  registerRetrieveUser(app, userDeps);
  registerUpdateUser(app, userDeps);
  registerDeleteUser(app, userDeps);
  registerSearchUsers(app, userDeps);
  registerImportUsers(app, userDeps);
  registerCreateRegistration(app, userDeps);
  registerRetrieveRegistration(app, userDeps);
  registerUpdateRegistration(app, userDeps);
  registerDeleteRegistration(app, userDeps);
  registerLogin(app, { store: deps.store, signingKeys: deps.signingKeys, callers, now: deps.now });
  registerLogout(app, { store: deps.store });
  registerExchangeRefreshToken(app, { store: deps.store, signingKeys: deps.signingKeys, now: deps.now });
  registerRefreshTokens(app, { store: deps.store, callers });
  registerValidateJwt(app, { signingKeys: deps.signingKeys, now: deps.now });
}
