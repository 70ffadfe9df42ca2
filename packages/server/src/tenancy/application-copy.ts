import { ApiError } from '../errors/api-error.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { Application } from '../store/repositories/application-repository.ts';
import type { ApplicationScope } from '../store/repositories/application-scope-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { validateApplication } from './application-input.ts';
import { newScopes } from './application-scopes.ts';
import { createApplication, findApplicationInScope, type TenantScope } from './applications.ts';

/**
 * POST /api/application[/{id}] with `sourceApplicationId` (FusionAuth 1.43): a new application with the
 * source's configuration, in the source's tenant. Only the name comes from the request; roles and scopes
 * are copied under new ids and a new client secret is generated. The source must be visible to the caller.
 */
export async function copyApplication(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly id: string | undefined; readonly sourceId: string; readonly name: unknown; readonly scope: TenantScope },
  now: number,
): Promise<{ application: Application; scopes: ApplicationScope[] }> {
  const source = await findApplicationInScope(repositories, request.sourceId.toLowerCase(), request.scope);
  if (source === undefined) throw ApiError.field('sourceApplicationId', 'invalid', `No application has the id ${request.sourceId}.`);
  // The source's settings were valid when stored; validating them again with the new name checks the name.
  const input = validateApplication({ ...source.settings, name: request.name });
  const roles = source.roles.map(({ name, description, isDefault, isSuperRole }) => ({ name, isDefault, isSuperRole, ...(description === undefined ? {} : { description }) }));
  const application = await createApplication(repositories, keyRing, { id: request.id, tenantId: source.tenantId, input: { ...input, clientSecret: undefined, roles } }, now);
  const sourceScopes = await repositories.applicationScopes.listByApplication(source.id);
  const scopes = newScopes(
    application.id,
    sourceScopes.map(({ id: _id, ...scope }) => scope),
    now,
  );
  await repositories.applicationScopes.insert(scopes);
  return { application, scopes };
}
