import { randomUUID } from 'node:crypto';
import { duplicateFieldError } from '../errors/duplicate-field.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { Tenant } from '../store/repositories/tenant-repository.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { createValidator } from '../validation/validator.ts';
import { tenantSchema } from './tenant-schema.ts';
import type { TenantSettings } from './tenant-settings.ts';

/** Checks a tenant body, fills FusionAuth's defaults and drops unknown fields; field errors under `tenant.`. */
export const validateTenantSettings = createValidator<TenantSettings>(tenantSchema, 'tenant');

const duplicateName = duplicateFieldError({
  tenants_name_key: ['tenant.name', 'A tenant with this name already exists.'],
  tenants_pkey: ['tenant.id', 'A tenant with this id already exists.'],
});

export async function createTenant(repositories: Repositories, id: string | undefined, body: unknown, now: number): Promise<Tenant> {
  const tenant: Tenant = { id: id ?? randomUUID(), settings: validateTenantSettings(body), insertInstant: now, lastUpdateInstant: now };
  await repositories.tenants.insert(tenant).catch(duplicateName);
  return tenant;
}

/** PUT replaces every setting (omitted ones return to their defaults); PATCH merges (RFC 7396) or applies JSON Patch (RFC 6902) first. */
export async function updateTenant(
  repositories: Repositories,
  id: string,
  body: unknown,
  mode: UpdateMode,
  now: number,
): Promise<Tenant | undefined> {
  const existing = await repositories.tenants.find(id);
  if (existing === undefined) return undefined;
  const merged = updatedBody(mode, existing.settings, body, 'tenant');
  const tenant: Tenant = { ...existing, settings: validateTenantSettings(merged), lastUpdateInstant: now };
  await repositories.tenants.update(tenant).catch(duplicateName);
  return tenant;
}
