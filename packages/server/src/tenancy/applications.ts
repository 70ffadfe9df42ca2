import { randomUUID } from 'node:crypto';
import { ApiError } from '../errors/api-error.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { Application, ApplicationRole } from '../store/repositories/application-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { duplicateFieldError } from '../errors/duplicate-field.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { upgradeDeprecatedFields, validateApplication, type ApplicationInput } from './application-input.ts';
import { generateClientSecret, sealClientSecret } from './client-secret.ts';

/** The tenant a request is limited to (undefined: every tenant). Applications outside it do not exist for it. */
export type TenantScope = string | undefined;

const duplicateField = duplicateFieldError({
  applications_pkey: ['application.id', 'An application with this id already exists.'],
  applications_name_key: ['application.name', 'An application with this name already exists in this tenant.'],
  application_roles_pkey: ['application.roles.id', 'A role with this id already exists.'],
  application_roles_name_key: ['application.roles.name', 'Two roles have the same name.'],
});


/** Roles change only through the role API: an update body's `roles` are ignored. */
function withoutRoles(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { roles: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** The application, when it exists and the scope may see it. */
export async function findApplicationInScope(repositories: Repositories, id: string, scope: TenantScope): Promise<Application | undefined> {
  const application = await repositories.applications.find(id);
  return application === undefined || (scope !== undefined && application.tenantId !== scope) ? undefined : application;
}

/** Creates an active application with its roles; a blank client secret is generated (FusionAuth does the same). */
export async function createApplication(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly id: string | undefined; readonly tenantId: string; readonly input: ApplicationInput },
  now: number,
): Promise<Application> {
  if ((await repositories.tenants.find(request.tenantId)) === undefined) {
    throw ApiError.field('application.tenantId', 'invalid', `No tenant has the id ${request.tenantId}.`);
  }
  const id = request.id ?? randomUUID();
  const roles: ApplicationRole[] = request.input.roles.map((role) => ({
    id: role.id ?? randomUUID(),
    name: role.name.trim(),
    description: role.description,
    isDefault: role.isDefault,
    isSuperRole: role.isSuperRole,
    insertInstant: now,
    lastUpdateInstant: now,
  }));
  const application: Application = {
    id,
    tenantId: request.tenantId,
    active: true,
    settings: { ...request.input.settings, name: request.input.settings.name.trim() },
    clientSecretSealed: sealClientSecret(keyRing, id, request.input.clientSecret ?? generateClientSecret()),
    roles: roles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.applications.insert(application).catch(duplicateField);
  return application;
}

/**
 * PUT replaces every setting (omitted ones return to their defaults); PATCH merges (RFC 7396) or applies
 * JSON Patch (RFC 6902) to the stored settings first.
 * Roles are not touched (FusionAuth changes them only through the role API), the tenant cannot change,
 * and a blank client secret keeps the current one.
 */
export async function updateApplication(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly id: string; readonly body: unknown; readonly mode: UpdateMode; readonly scope: TenantScope },
  now: number,
): Promise<Application | undefined> {
  const existing = await findApplicationInScope(repositories, request.id, request.scope);
  if (existing === undefined) return undefined;
  const body = upgradeDeprecatedFields(request.body);
  const input = validateApplication(withoutRoles(updatedBody(request.mode, existing.settings, body, 'application')));
  if (input.tenantId !== undefined && input.tenantId !== existing.tenantId) {
    throw ApiError.field('application.tenantId', 'invalid', 'An application cannot move to another tenant.');
  }
  const application: Application = {
    ...existing,
    settings: { ...input.settings, name: input.settings.name.trim() },
    clientSecretSealed: input.clientSecret === undefined ? existing.clientSecretSealed : sealClientSecret(keyRing, existing.id, input.clientSecret),
    lastUpdateInstant: now,
  };
  await repositories.applications.update(application).catch(duplicateField);
  return application;
}

/** Deactivate (FusionAuth's soft delete) or reactivate. */
export async function setApplicationActive(repositories: Repositories, id: string, active: boolean, scope: TenantScope, now: number): Promise<Application | undefined> {
  const existing = await findApplicationInScope(repositories, id, scope);
  if (existing === undefined) return undefined;
  await repositories.applications.setActive(id, active, now);
  return { ...existing, active, lastUpdateInstant: now };
}

/** Hard delete: the application and its roles go. */
export async function deleteApplication(repositories: Repositories, id: string, scope: TenantScope): Promise<boolean> {
  const existing = await findApplicationInScope(repositories, id, scope);
  return existing !== undefined && (await repositories.applications.delete(id));
}
