import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyRing, SealContext } from '../keys/key-ring.ts';
import type { Application } from '../store/repositories/application-repository.ts';

/**
 * OAuth client secrets are recoverable secrets (FusionAuth returns them on retrieve), so they are sealed
 * with the master key ring rather than hashed, bound to their owner's row: an application, or an entity
 * (the clients of the client credentials grant), or an identity provider (Gatehouse's own client at the upstream). Each keeps it in a `client_secret_sealed` column.
 */
export interface ClientSecretOwner {
  readonly table: 'applications' | 'entities' | 'identity_providers';
  readonly id: string;
}

function context(owner: ClientSecretOwner): SealContext {
  return { table: owner.table, row: owner.id, column: 'client_secret_sealed' };
}

/** 256 bits from the CSPRNG, base64url: 43 characters, like FusionAuth's generated secrets. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sealOwnedClientSecret(keyRing: KeyRing, owner: ClientSecretOwner, secret: string): Buffer {
  return keyRing.seal(secret, context(owner));
}

export function unsealOwnedClientSecret(keyRing: KeyRing, owner: ClientSecretOwner, sealed: Uint8Array): string {
  return keyRing.unseal(sealed, context(owner)).toString('utf8');
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
export function clientSecretMatches(expected: string, presented: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(presented));
}

export function sealClientSecret(keyRing: KeyRing, applicationId: string, secret: string): Buffer {
  return sealOwnedClientSecret(keyRing, { table: 'applications', id: applicationId }, secret);
}

export function unsealClientSecret(keyRing: KeyRing, application: Pick<Application, 'id' | 'clientSecretSealed'>): string {
  return unsealOwnedClientSecret(keyRing, { table: 'applications', id: application.id }, application.clientSecretSealed);
}
