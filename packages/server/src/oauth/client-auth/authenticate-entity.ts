import { entitySecretMatches } from '../../entities/entities.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { ClientCredentialsTarget, EntityClient } from '../../store/repositories/client-credentials-repository.ts';
import type { Store } from '../../store/store.ts';
import { clientSecretMatches } from '../../tenancy/client-secret.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import { invalidClient, type PresentedCredentials } from './authenticate-client.ts';

export interface EntityClientDeps {
  readonly store: Store;
  /** When given, entities are read through it (a few seconds' cache) instead of the store. */
  readonly settings?: SettingsCache | undefined;
}

/**
 * The entity with this client id (or id), its tenant and, for `targetIds`, those targets with the grants
 * it holds on them: one statement, or none while the settings cache holds the answer.
 */
export function findEntityClient(
  deps: EntityClientDeps,
  by: { readonly clientId: string } | { readonly id: string },
  targetIds: readonly string[] = [],
): Promise<{ readonly client: EntityClient; readonly targets: readonly ClientCredentialsTarget[] } | undefined> {
  return deps.settings !== undefined ? deps.settings.entityClient(by, targetIds) : deps.store.repositories.clientCredentials.find(by, targetIds);
}

/**
 * An entity is a confidential client: without a secret the request is refused before anything is looked
 * up, so the answer says nothing about which client ids exist.
 */
export function requireEntitySecret(credentials: PresentedCredentials): string {
  if (credentials.secret === undefined) throw invalidClient('This client must authenticate: send its client secret.', credentials.viaBasic, 'client_authentication_missing');
  return credentials.secret;
}

/**
 * Checks a secret against the entity found for the presented client id: unsealed and compared in constant
 * time (no slow hash: the token endpoint is a throughput path). An unknown client id gets the same answer
 * and the same comparison as a wrong secret.
 */
export function checkEntityClient(keyRing: KeyRing, entity: EntityClient | undefined, credentials: PresentedCredentials): EntityClient {
  const secret = requireEntitySecret(credentials);
  const matches = entity === undefined ? clientSecretMatches('unknown client', secret) && false : entitySecretMatches(keyRing, entity, secret);
  if (entity === undefined || !matches) throw invalidClient('The client could not be authenticated.', credentials.viaBasic, 'invalid_client_authentication');
  return entity;
}
