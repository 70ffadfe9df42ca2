import type { Application } from '../store/repositories/application-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { ApplicationScope } from '../store/repositories/application-scope-repository.ts';
import type { ClientCredentialsTarget, EntityClient } from '../store/repositories/client-credentials-repository.ts';
import type { Tenant } from '../store/repositories/tenant-repository.ts';
import { applicationScopesByName } from './application-scopes.ts';

export interface SettingsCacheOptions {
  readonly repositories: Pick<Repositories, 'applications' | 'tenants' | 'applicationScopes' | 'clientCredentials'>;
  readonly now: () => number;
  /** How long a node trusts an application or tenant it read; a change made on another node shows within this. */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
}

/**
 * Applications and tenants as the OAuth hot paths read them (every token request authenticates a client
 * and signs with its tenant's settings): kept for a few seconds per process, like API keys
 * (api/api-key-cache.ts). A change made through this node clears it at once (see app.ts); other nodes
 * see it within `ttlMs`. Only reads that decide nothing about the stored rows themselves may use it:
 * management API updates always read the store.
 */
export function createSettingsCache(options: SettingsCacheOptions) {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { value: Promise<unknown>; expires: number }>();

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = options.now();
    const hit = entries.get(key);
    if (hit !== undefined && hit.expires > now) return hit.value as Promise<T>;
    if (entries.size >= maxEntries) entries.clear();
    const value = load();
    entries.set(key, { value, expires: now + ttlMs });
    value.then(
      (found) => found === undefined && entries.delete(key),
      () => entries.delete(key),
    );
    return value;
  }

  return {
    application(id: string): Promise<Application | undefined> {
      return cached(`application:${id}`, () => options.repositories.applications.find(id));
    },

    tenant(id: string): Promise<Tenant | undefined> {
      return cached(`tenant:${id}`, () => options.repositories.tenants.find(id));
    },

    /** The application's custom OAuth scopes by name (see tenancy/application-scopes.ts). */
    scopes(applicationId: string): Promise<ReadonlyMap<string, ApplicationScope>> {
      return cached(`scopes:${applicationId}`, () => applicationScopesByName(options.repositories, applicationId));
    },

    /**
     * An entity as a client of the client credentials grant (by client id, or by id for a token's
     * subject), with its tenant and, for `targetIds`, the targets and the grants it holds on them: the
     * grant's one statement, kept like an application (entities, types and grants changed through this
     * node clear it).
     */
    entityClient(
      by: { readonly clientId: string } | { readonly id: string },
      targetIds: readonly string[] = [],
    ): Promise<{ readonly client: EntityClient; readonly targets: readonly ClientCredentialsTarget[] } | undefined> {
      return cached(`entity-client:${JSON.stringify([by, targetIds])}`, () => options.repositories.clientCredentials.find(by, targetIds));
    },

    clear(): void {
      entries.clear();
    },
  };
}

export type SettingsCache = ReturnType<typeof createSettingsCache>;
