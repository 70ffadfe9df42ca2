import type { Repositories } from '../store/repositories/index.ts';

/**
 * Where tenants, applications, entity types and webhooks name Key Master keys: `jwtConfiguration.accessTokenKeyId` and
 * `idTokenKeyId` (FusionAuth's fields). An application's own jwtConfiguration applies only when it is
 * enabled; otherwise its tenant's does, as in FusionAuth.
 */

export interface KeyUser {
  readonly kind: 'tenant' | 'application' | 'entity type' | 'webhook';
  readonly id: string;
}

function names(jwt: { readonly accessTokenKeyId?: string; readonly idTokenKeyId?: string }, keyId: string): boolean {
  return jwt.accessTokenKeyId === keyId || jwt.idTokenKeyId === keyId;
}

/** Who signs with `keyId`. Inactive applications count: they can be reactivated at any time. Entity types count when they name it. */
export async function keyUsers(repositories: Pick<Repositories, 'tenants' | 'applications' | 'entityTypes' | 'webhooks'>, keyId: string): Promise<KeyUser[]> {
  const tenants = (await repositories.tenants.list()).filter((tenant) => names(tenant.settings.jwtConfiguration, keyId));
  const applications = [...(await repositories.applications.list({ active: true })), ...(await repositories.applications.list({ active: false }))].filter(
    (application) => names(application.settings.jwtConfiguration, keyId),
  );
  const entityTypes = (await repositories.entityTypes.list()).filter((type) => type.jwtConfiguration.accessTokenKeyId === keyId);
  // A webhook signing its requests with the key (signatureConfiguration.signingKeyId), enabled or not.
  const webhooks = (await repositories.webhooks.list()).filter((webhook) => webhook.settings.signatureConfiguration?.signingKeyId === keyId);
  return [
    ...tenants.map((tenant) => ({ kind: 'tenant' as const, id: tenant.id })),
    ...applications.map((application) => ({ kind: 'application' as const, id: application.id })),
    ...entityTypes.map((type) => ({ kind: 'entity type' as const, id: type.id })),
    ...webhooks.map((webhook) => ({ kind: 'webhook' as const, id: webhook.id })),
  ];
}

/** The id of the key that signs an application's access tokens, when one is assigned. */
export async function accessTokenKeyIdOf(repositories: Pick<Repositories, 'tenants' | 'applications'>, applicationId: string): Promise<string | undefined> {
  const application = await repositories.applications.find(applicationId);
  if (application === undefined) return undefined;
  const own = application.settings.jwtConfiguration;
  if (own.enabled && own.accessTokenKeyId !== undefined) return own.accessTokenKeyId;
  return (await repositories.tenants.find(application.tenantId))?.settings.jwtConfiguration.accessTokenKeyId;
}
