import { randomBytes } from 'node:crypto';
import type { KeyRing, SealContext } from '../keys/key-ring.ts';
import type { Application } from '../store/repositories/application-repository.ts';

/**
 * OAuth client secrets are recoverable secrets (FusionAuth returns them on retrieve), so they are sealed
 * with the master key ring rather than hashed, bound to their application's row.
 */
function context(applicationId: string): SealContext {
  return { table: 'applications', row: applicationId, column: 'client_secret_sealed' };
}

/** 256 bits from the CSPRNG, base64url: 43 characters, like FusionAuth's generated secrets. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sealClientSecret(keyRing: KeyRing, applicationId: string, secret: string): Buffer {
  return keyRing.seal(secret, context(applicationId));
}

export function unsealClientSecret(keyRing: KeyRing, application: Pick<Application, 'id' | 'clientSecretSealed'>): string {
  return keyRing.unseal(application.clientSecretSealed, context(application.id)).toString('utf8');
}
