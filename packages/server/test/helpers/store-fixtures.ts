import { randomUUID } from 'node:crypto';
import type { ApiKeyRecord } from '../../src/store/repositories/api-key-repository.ts';
import type { Application, ApplicationRole } from '../../src/store/repositories/application-repository.ts';
import type { SigningKeyRecord } from '../../src/store/repositories/signing-key-repository.ts';
import type { User } from '../../src/store/repositories/user-repository.ts';
import { validateApplication } from '../../src/tenancy/application-input.ts';
import { validateTenantSettings } from '../../src/tenancy/tenants.ts';

/** Rows for the store conformance suites: valid domain values with unique names. */
export function tenant(name: string, instant = 1_700_000_000_000) {
  const settings = validateTenantSettings({ name, issuer: 'https://login.example.com', data: { nested: { ttl: 60 } } });
  return { id: randomUUID(), settings, insertInstant: instant, lastUpdateInstant: instant };
}

export function signingKey(algorithm: string, instant: number, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    id: randomUUID(),
    kid: randomUUID(),
    algorithm,
    name: `test key ${randomUUID()}`,
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
    privateSealed: Buffer.from([0, 1, 2, 255]),
    origin: 'rotation',
    certificate: undefined,
    insertInstant: instant,
    lastUpdateInstant: instant,
    retiredInstant: undefined,
    ...overrides,
  };
}

export function apiKey(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: randomUUID(),
    keyHash: Buffer.from(randomUUID()),
    tenantId: undefined,
    description: 'test',
    permissions: { '/api/user': ['GET'] },
    keyManager: false,
    expirationInstant: undefined,
    insertInstant: 1_700_000_000_000,
    lastUpdateInstant: 1_700_000_000_000,
    ...overrides,
  };
}

export function user(tenantId: string, overrides: Partial<User> = {}): User {
  return {
    id: randomUUID(),
    tenantId,
    email: `${randomUUID()}@example.com`,
    username: undefined,
    password: { hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA', scheme: 'argon2id', factor: 2, salt: undefined },
    passwordChangeRequired: false,
    passwordLastUpdateInstant: 1_700_000_000_000,
    active: true,
    verified: true,
    profile: { firstName: 'Ada', lastName: 'Lovelace', preferredLanguages: ['en', 'fr'], data: { nested: { n: 1 } } },
    expiry: undefined,
    lastLoginInstant: undefined,
    insertInstant: 1_700_000_000_000,
    lastUpdateInstant: 1_700_000_000_000,
    ...overrides,
  };
}

export function role(name: string, overrides: Partial<ApplicationRole> = {}): ApplicationRole {
  return { id: randomUUID(), name, description: undefined, isDefault: false, isSuperRole: false, insertInstant: 1_700_000_000_000, lastUpdateInstant: 1_700_000_000_000, ...overrides };
}

export function application(tenantId: string, name: string, roles: ApplicationRole[] = []): Application {
  const { settings } = validateApplication({ name, oauthConfiguration: { authorizedRedirectURLs: ['https://app.example.com/cb'] }, data: { nested: { n: 1 } } });
  return { id: randomUUID(), tenantId, active: true, settings, clientSecretSealed: Buffer.from([7, 0, 255]), roles, insertInstant: 1_700_000_000_000, lastUpdateInstant: 1_700_000_000_000 };
}

// The same suite, unchanged, on both backends: what passes on the embedded store passes in production.
