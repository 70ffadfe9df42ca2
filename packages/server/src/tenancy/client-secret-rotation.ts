import type { KeyRing } from '../keys/key-ring.ts';
import type { Application } from '../store/repositories/application-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { findApplicationInScope, type TenantScope } from './applications.ts';
import { generateClientSecret, sealClientSecret } from './client-secret.ts';

/**
 * A new generated client secret for an application; the old one stops working at once (no overlap: a
 * leaked secret is the usual reason to rotate). Undefined when the scope sees no such application.
 */
export async function rotateClientSecret(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly id: string; readonly scope: TenantScope },
  now: number,
): Promise<{ readonly application: Application; readonly clientSecret: string } | undefined> {
  const existing = await findApplicationInScope(repositories, request.id, request.scope);
  if (existing === undefined) return undefined;
  const clientSecret = generateClientSecret();
  const application: Application = { ...existing, clientSecretSealed: sealClientSecret(keyRing, existing.id, clientSecret), lastUpdateInstant: now };
  await repositories.applications.update(application);
  return { application, clientSecret };
}
