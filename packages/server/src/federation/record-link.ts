/**
 * Writing an upstream account's link after the upstream authorized it, shared by federated sign-in
 * (federated-login.ts) and connecting another account (connect-account.ts): one upstream account (provider +
 * upstream user id) has one link, so a repeated authorization updates that link in place.
 */
import { randomUUID } from 'node:crypto';
import type { KeyRing } from '../keys/key-ring.ts';
import { newLinkVaultState, type IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { User } from '../store/repositories/user-repository.ts';
import { withUpstreamTokens } from './link-tokens.ts';
import type { UpstreamIdentity } from './linking-strategy.ts';
import type { UpstreamTokens } from './upstream-code-exchange.ts';

export interface LinkRecord {
  /** The upstream account's link as read (locked) in this transaction, if it has one. */
  readonly existing: IdentityProviderLink | undefined;
  readonly user: User;
  readonly identityProviderId: string;
  readonly identity: UpstreamIdentity;
  readonly tokens: UpstreamTokens | undefined;
}

/**
 * The link, created or refreshed: display name as the upstream says now, the instant, the tokens. An
 * existing link is a new authorization: active again, its refresh failures forgotten, its version grown
 * (a refresh that read the old version knows the tokens changed under it).
 */
export async function recordLink(repositories: Repositories, keyRing: KeyRing, record: LinkRecord, now: number): Promise<IdentityProviderLink> {
  const { existing, user, identity } = record;
  const id = existing?.id ?? randomUUID();
  const tokens = withUpstreamTokens(keyRing, id, existing, record.tokens);
  if (existing !== undefined) {
    const link: IdentityProviderLink = {
      ...existing,
      ...tokens,
      status: 'active',
      version: existing.version + 1,
      refreshFailures: 0,
      refreshRetryInstant: undefined,
      displayName: identity.displayName ?? existing.displayName,
      lastLoginInstant: now,
    };
    await repositories.identityProviderLinks.update(link);
    return link;
  }
  const link: IdentityProviderLink = {
    id,
    tenantId: user.tenantId,
    userId: user.id,
    identityProviderId: record.identityProviderId,
    identityProviderUserId: identity.identityProviderUserId,
    displayName: identity.displayName,
    data: {},
    ...newLinkVaultState,
    ...tokens,
    insertInstant: now,
    lastLoginInstant: now,
  };
  await repositories.identityProviderLinks.insert(link);
  return link;
}
