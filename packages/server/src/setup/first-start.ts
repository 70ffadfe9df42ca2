import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { insertSigningKey } from '../keys/signing-keys.ts';
import { UnsealError, type KeyRing, type SealContext } from '../keys/key-ring.ts';
import type { SigningAlgorithm } from '../keys/signing-key-material.ts';
import { createApiKey } from '../tenancy/api-keys.ts';
import { defaultTenant } from '../tenancy/default-tenant.ts';
import type { Instance } from '../store/repositories/instance-repository.ts';
import type { Store } from '../store/store.ts';

export interface FirstStartOptions {
  readonly keyRing: KeyRing;
  readonly signingAlgorithm: SigningAlgorithm;
  /** A kickstart file will seed this store: no bootstrap key, kickstart state `pending`. */
  readonly kickstart: boolean;
  /** Kickstart's `defaultTenantId` variable, when given. */
  readonly defaultTenantId?: string | undefined;
  readonly dataDir: string;
  readonly now: () => number;
}

export interface SetupResult {
  /** True when this call set the store up (first start). */
  readonly fresh: boolean;
  readonly instance: Instance;
  readonly defaultTenantId: string;
  readonly defaultSigningKeyId: string | undefined;
  /** Where the bootstrap API key was written, when one was made. */
  readonly bootstrapKeyFile: string | undefined;
}

export class MasterKeyMismatchError extends Error {
  override readonly name = 'MasterKeyMismatchError';
}

const keyCheckText = 'gatehouse key check';

function keyCheckContext(instanceId: string): SealContext {
  return { table: 'instance', row: instanceId, column: 'key_check' };
}

/**
 * Sets a never-set-up store up (default tenant, first signing key, bootstrap API key) in one transaction
 * under an advisory lock, so nodes starting together do it once. On a store already set up, it proves
 * the master key ring still opens the store's secrets.
 */
export async function ensureSetUp(store: Store, options: FirstStartOptions): Promise<SetupResult> {
  const result = await store.transaction(async (repositories) => {
    await repositories.instance.lockForSetup();
    const existing = await repositories.instance.find();
    if (existing !== undefined) {
      return { fresh: false, instance: existing, defaultTenantId: existing.defaultTenantId, defaultSigningKeyId: undefined, bootstrapKeyFile: undefined };
    }
    const instant = options.now();
    const tenant = defaultTenant(options.defaultTenantId ?? randomUUID(), instant);
    await repositories.tenants.insert(tenant);
    const signingKey = await insertSigningKey(repositories, options.keyRing, options.signingAlgorithm, instant);
    const instanceId = randomUUID();
    const instance: Instance = {
      instanceId,
      defaultTenantId: tenant.id,
      setupInstant: instant,
      kickstartState: options.kickstart ? 'pending' : 'none',
      keyCheck: options.keyRing.seal(keyCheckText, keyCheckContext(instanceId)),
    };
    await repositories.instance.insert(instance);
    let bootstrapKeyFile: string | undefined;
    if (!options.kickstart) {
      const created = await createApiKey(repositories, { keyManager: true, description: 'Bootstrap key created on first start' }, instant);
      bootstrapKeyFile = join(options.dataDir, 'bootstrap-api-key');
      // Written before commit: if the write fails, nothing is set up and the next start tries again.
      await writeFile(bootstrapKeyFile, `${created.value}\n`, { mode: 0o600 });
    }
    return { fresh: true, instance, defaultTenantId: tenant.id, defaultSigningKeyId: signingKey.id, bootstrapKeyFile };
  });
  if (!result.fresh) verifyKeyRing(result.instance, options.keyRing);
  return result;
}

function verifyKeyRing(instance: Instance, keyRing: KeyRing): void {
  try {
    keyRing.unseal(instance.keyCheck, keyCheckContext(instance.instanceId));
  } catch (error) {
    if (!(error instanceof UnsealError)) throw error;
    throw new MasterKeyMismatchError(`does not open this store's secrets (${error.message}); start with the key ring this store was set up with`);
  }
}
