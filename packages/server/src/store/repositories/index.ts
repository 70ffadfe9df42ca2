import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { createApiKeyRepository } from './api-key-repository.ts';
import { createApplicationRepository } from './application-repository.ts';
import { createApplicationScopeRepository } from './application-scope-repository.ts';
import { createClientRegistrationRepository } from './client-registration-repository.ts';
import { createClientCredentialsRepository } from './client-credentials-repository.ts';
import { createDeviceCodeRepository } from './device-code-repository.ts';
import { createEntityGrantRepository } from './entity-grant-repository.ts';
import { createEntityRepository } from './entity-repository.ts';
import { createEntityTypeRepository } from './entity-type-repository.ts';
import { createIdentityProviderRepository } from './identity-provider-repository.ts';
import { createIdentityProviderLinkRepository } from './identity-provider-link-repository.ts';
import { createUpstreamAuthorizationRepository } from './upstream-authorization-repository.ts';
import { createLinkKeepAliveRepository } from './link-keep-alive-repository.ts';
import { createEventOutboxRepository } from './event-outbox-repository.ts';
import { createWebhookRepository } from './webhook-repository.ts';
import { createEventLogRepository } from './event-log-repository.ts';
import { createAuditLogRepository } from './audit-log-repository.ts';
import { createInstanceRepository } from './instance-repository.ts';
import { createLoginFailureRepository } from './login-failure-repository.ts';
import { createOneTimeIdRepository } from './one-time-id-repository.ts';
import { createLoginRepository } from './login-repository.ts';
import { createAuthorizationCodeRepository } from './authorization-code-repository.ts';
import { createOAuthConsentRepository } from './oauth-consent-repository.ts';
import { createOAuthGrantRepository } from './oauth-grant-repository.ts';
import { createSsoSessionRepository } from './sso-session-repository.ts';
import { createTokenExchangeRepository } from './token-exchange-repository.ts';
import { createRefreshTokenRepository } from './refresh-token-repository.ts';
import { createRegistrationRepository } from './registration-repository.ts';
import { createSigningKeyRepository } from './signing-key-repository.ts';
import { createTenantRepository } from './tenant-repository.ts';
import { createUserActionRepository } from './user-action-repository.ts';
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
    applicationScopes: createApplicationScopeRepository(db),
    registrations: createRegistrationRepository(db),
    refreshTokens: createRefreshTokenRepository(db),
    loginFailures: createLoginFailureRepository(db),
    oneTimeIds: createOneTimeIdRepository(db),
    logins: createLoginRepository(db),
    ssoSessions: createSsoSessionRepository(db),
    oauthGrants: createOAuthGrantRepository(db),
    authorizationCodes: createAuthorizationCodeRepository(db),
    oauthConsents: createOAuthConsentRepository(db),
    tokenExchange: createTokenExchangeRepository(db),
    userActions: createUserActionRepository(db),
    entityTypes: createEntityTypeRepository(db),
    entities: createEntityRepository(db),
    entityGrants: createEntityGrantRepository(db),
    deviceCodes: createDeviceCodeRepository(db),
    clientRegistrations: createClientRegistrationRepository(db),
    clientCredentials: createClientCredentialsRepository(db),
    identityProviders: createIdentityProviderRepository(db),
    identityProviderLinks: createIdentityProviderLinkRepository(db),
    upstreamAuthorizations: createUpstreamAuthorizationRepository(db),
    linkKeepAlive: createLinkKeepAliveRepository(db),
    webhooks: createWebhookRepository(db),
    eventOutbox: createEventOutboxRepository(db),
    eventLogs: createEventLogRepository(db),
    auditLogs: createAuditLogRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
