import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { createApiKeyRepository } from './api-key-repository.ts';
import { createApplicationRepository } from './application-repository.ts';
import { createInstanceRepository } from './instance-repository.ts';
import { createLoginFailureRepository } from './login-failure-repository.ts';
import { createRefreshTokenRepository } from './refresh-token-repository.ts';
import { createRegistrationRepository } from './registration-repository.ts';
import { createSigningKeyRepository } from './signing-key-repository.ts';
import { createTenantRepository } from './tenant-repository.ts';
import { createUserRepository } from './user-repository.ts';

/** Every aggregate's repository, bound to one executor (the database or one transaction). */
export function createRepositories(db: Kysely<Database>) {
  return {
    instance: createInstanceRepository(db),
    tenants: createTenantRepository(db),
    signingKeys: createSigningKeyRepository(db),
    apiKeys: createApiKeyRepository(db),
    users: createUserRepository(db),
    applications: createApplicationRepository(db),
    registrations: createRegistrationRepository(db),
    refreshTokens: createRefreshTokenRepository(db),
    loginFailures: createLoginFailureRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
