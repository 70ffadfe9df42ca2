import { randomUUID } from 'node:crypto';
import { OAuthError } from '../../errors/oauth-error.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { Store } from '../../store/store.ts';
import { deviceCodeGrant } from '../../tenancy/application-schema.ts';
import { requireClientAuthentication, type AuthenticatedClient } from '../client-auth/authenticate-client.ts';
import { generateDeviceCode, hashDeviceCode } from './device-code-value.ts';
import { generateUserCode } from './user-code.ts';

export const deviceCodeGrantType = deviceCodeGrant;

/** RFC 8628 §3.2: without an interval from the server, clients wait 5 s; slow_down adds 5 s (§3.5). */
export const pollingIntervalSeconds = 5;
export const slowDownSeconds = 5;

/** Requests expired this long ago are forgotten (their user codes free again); until then a device polling one gets expired_token. */
const retentionMillis = 86_400_000;

/** Draws of a user code taken by another request before giving up (only likely with short digit-only codes). */
const userCodeDraws = 5;

/**
 * The device flow's client: the application's clientAuthenticationPolicy as for the password and refresh
 * grants — there is no PKCE in this flow, so only `NotRequired` (a public client, what a TV app usually
 * is) goes without its secret; others authenticate (DEV-01) at the device authorization endpoint and at
 * every poll (RFC 8628 §3.1, §3.4). Then the application must enable the device grant.
 */
export function requireDeviceClient(client: AuthenticatedClient): void {
  requireClientAuthentication(client, false);
  if (!client.application.settings.oauthConfiguration.enabledGrants.includes(deviceCodeGrant)) {
    throw new OAuthError('unauthorized_client', 'The device grant is not enabled for this application.', 400, { reason: 'grant_type_disabled' });
  }
}

export interface StartedDeviceAuthorization {
  /** Handed to the device once; only its hash is stored. */
  readonly deviceCode: string;
  readonly userCode: string;
  readonly expiresIn: number;
  readonly interval: number;
}

/**
 * A new device authorization request (RFC 8628 §3.1–3.2): the tenant's deviceCodeTimeToLiveInSeconds
 * and user code generator; the scopes are already resolved against the application's policies.
 */
export async function startDeviceAuthorization(
  store: Store,
  request: { readonly tenant: Tenant; readonly application: Application; readonly scopes: readonly string[] },
  now: number,
): Promise<StartedDeviceAuthorization> {
  const identifiers = request.tenant.settings.externalIdentifierConfiguration;
  const expiresIn = identifiers['deviceCodeTimeToLiveInSeconds'] ?? 300;
  const deviceCode = generateDeviceCode();
  await store.repositories.deviceCodes.deleteExpiredBefore(now - retentionMillis);
  for (let draw = 0; draw < userCodeDraws; draw += 1) {
    const userCode = generateUserCode(identifiers.deviceUserCodeIdGenerator);
    const inserted = await store.repositories.deviceCodes.insert({
      id: randomUUID(),
      deviceCodeHash: hashDeviceCode(deviceCode),
      userCode,
      tenantId: request.tenant.id,
      applicationId: request.application.id,
      scopes: request.scopes,
      status: 'pending',
      grantId: undefined,
      intervalSeconds: pollingIntervalSeconds,
      lastPolledInstant: undefined,
      insertInstant: now,
      expirationInstant: now + expiresIn * 1000,
      decidedInstant: undefined,
    });
    if (inserted) return { deviceCode, userCode, expiresIn, interval: pollingIntervalSeconds };
  }
  throw new OAuthError('temporarily_unavailable', 'No free user code could be drawn. Try again.', 503);
}
