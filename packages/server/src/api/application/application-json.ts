import type { KeyRing } from '../../keys/key-ring.ts';
import type { Application, ApplicationRole } from '../../store/repositories/application-repository.ts';
import type { ApplicationScope } from '../../store/repositories/application-scope-repository.ts';
import { unsealClientSecret } from '../../tenancy/client-secret.ts';

/** FusionAuth's `role` object. */
export function roleJson(role: ApplicationRole) {
  return {
    id: role.id,
    name: role.name,
    ...(role.description === undefined ? {} : { description: role.description }),
    isDefault: role.isDefault,
    isSuperRole: role.isSuperRole,
    insertInstant: role.insertInstant,
    lastUpdateInstant: role.lastUpdateInstant,
  };
}

/** FusionAuth's `scope` object (ApplicationOAuthScope). */
export function scopeJson(scope: ApplicationScope) {
  return {
    id: scope.id,
    applicationId: scope.applicationId,
    name: scope.name,
    ...(scope.description === undefined ? {} : { description: scope.description }),
    ...(scope.defaultConsentMessage === undefined ? {} : { defaultConsentMessage: scope.defaultConsentMessage }),
    ...(scope.defaultConsentDetail === undefined ? {} : { defaultConsentDetail: scope.defaultConsentDetail }),
    required: scope.required,
    data: scope.data,
    insertInstant: scope.insertInstant,
    lastUpdateInstant: scope.lastUpdateInstant,
  };
}

/**
 * FusionAuth's `oauthConfiguration`: the client id is the application id, and the secret is returned to
 * API-key callers as FusionAuth does. `requireClientAuthentication` is the deprecated view of the policy.
 */
export function oauthConfigurationJson(application: Application, keyRing: KeyRing) {
  const oauth = application.settings.oauthConfiguration;
  return {
    ...oauth,
    clientId: application.id,
    clientSecret: unsealClientSecret(keyRing, application),
    requireClientAuthentication: oauth.clientAuthenticationPolicy === 'Required',
  };
}

/** FusionAuth's `application` object; `scopes` are the application's custom OAuth scopes. */
export function applicationJson(application: Application, keyRing: KeyRing, scopes: readonly ApplicationScope[]) {
  const { name, oauthConfiguration: _oauth, ...settings } = application.settings;
  return {
    id: application.id,
    tenantId: application.tenantId,
    name,
    active: application.active,
    state: application.active ? 'Active' : 'Inactive',
    ...settings,
    oauthConfiguration: oauthConfigurationJson(application, keyRing),
    roles: application.roles.map(roleJson),
    scopes: scopes.map(scopeJson),
    insertInstant: application.insertInstant,
    lastUpdateInstant: application.lastUpdateInstant,
  };
}

const uuid = { type: 'string', format: 'uuid' } as const;

export const applicationIdParams = { type: 'object', required: ['applicationId'], properties: { applicationId: uuid } } as const;
export const scopeIdParams = { type: 'object', required: ['applicationId', 'scopeId'], properties: { applicationId: uuid, scopeId: uuid } } as const;
export const roleIdParams = { type: 'object', required: ['applicationId', 'roleId'], properties: { applicationId: uuid, roleId: uuid } } as const;

/** The route-level body checks: the wrapper only; the object itself is validated by the domain. */
export const applicationBody = { type: 'object', required: ['application'], properties: { application: { type: 'object' } } } as const;
export const roleBody = { type: 'object', required: ['role'], properties: { role: { type: 'object' } } } as const;
export const scopeBody = { type: 'object', required: ['scope'], properties: { scope: { type: 'object' } } } as const;
