/**
 * What a sign-in through an upstream provider does in Gatehouse, shared by the hosted callback and the
 * Complete-the-Login API: the linking strategy decides (linking-strategy.ts), then, in one transaction,
 * the user is found, created or linked, the link records the sign-in and keeps the upstream's tokens
 * (link-tokens.ts), and the user is registered to the application when the provider says so.
 * A CreatePendingLink decision stores a pending link instead and hands back its id.
 */
import { randomUUID } from 'node:crypto';
import { profileOf } from '../identity/users/user-input.ts';
import { createRegistration } from '../identity/registrations/registrations.ts';
import type { GatehouseEvent } from '../events/event-catalogue.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { Application } from '../store/repositories/application-repository.ts';
import type { IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { Registration } from '../store/repositories/registration-repository.ts';
import type { User } from '../store/repositories/user-repository.ts';
import { DuplicateError } from '../store/store-errors.ts';
import type { Store } from '../store/store.ts';
import { createPendingLink, linkLimit } from './identity-provider-links.ts';
import type { StageLinkEvent } from './link-event.ts';
import { recordLink } from './record-link.ts';
import { decideLinking, storeLinkingLookups, type LinkingRefusal, type UpstreamIdentity } from './linking-strategy.ts';
import { createsRegistration } from './upstream-client.ts';
import type { UpstreamTokens } from './upstream-code-exchange.ts';

export interface FederatedSignInRequest {
  readonly provider: IdentityProvider;
  readonly application: Application;
  readonly identity: UpstreamIdentity;
  /** User fields for a new user (fullName, firstName, ...), from the upstream's claims. */
  readonly profile: Readonly<Record<string, unknown>>;
  readonly tokens: UpstreamTokens | undefined;
  /** FusionAuth's noLink: without an existing link, answer `noLink` instead of applying the strategy. */
  readonly noLink?: boolean;
  /** Writes the event of a new link in its transaction (link-event.ts). */
  readonly stageLinkEvent?: StageLinkEvent;
}

export type FederatedRefusal = LinkingRefusal | 'noLink' | 'linkLimit';

export type FederatedSignInOutcome =
  | {
      readonly kind: 'signedIn';
      readonly user: User;
      readonly registrations: readonly Registration[];
      readonly link: IdentityProviderLink;
      /** The link was made by this sign-in (a `user.identity-provider.link` event). */
      readonly linked: boolean;
      /** That event, written with the link: publish it. */
      readonly linkEvent?: GatehouseEvent;
      readonly createdUser: boolean;
    }
  | { readonly kind: 'pending'; readonly pendingId: string }
  | { readonly kind: 'refused'; readonly reason: FederatedRefusal };

export interface FederatedLoginDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
}

/**
 * Applies the sign-in. Two sign-ins of one new upstream account at once both try to create its link:
 * the loser's transaction fails on the unique key and is run again, and then finds the winner's link.
 */
export async function applyFederatedSignIn(deps: FederatedLoginDeps, request: FederatedSignInRequest, now: number): Promise<FederatedSignInOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.store.transaction((repositories) => signIn(repositories, deps.keyRing, request, now));
    } catch (error) {
      if (!(error instanceof DuplicateError) || attempt >= 2) throw error;
    }
  }
}

async function signIn(repositories: Repositories, keyRing: KeyRing, request: FederatedSignInRequest, now: number): Promise<FederatedSignInOutcome> {
  const { provider, application, identity } = request;
  const tenantId = application.tenantId;
  // Locked: a refresh of this link's tokens running at the same time writes before or after, never between.
  const existing = await repositories.identityProviderLinks.findByUpstream(provider.id, identity.identityProviderUserId, { forUpdate: true });
  if (existing === undefined && request.noLink === true) return { kind: 'refused', reason: 'noLink' };
  const decision = await decideLinking(provider, tenantId, identity, storeLinkingLookups(repositories));

  let user: User | undefined;
  let createdUser = false;
  switch (decision.kind) {
    case 'refused':
      return { kind: 'refused', reason: decision.reason };
    case 'pending': {
      const pendingId = await createPendingLink(
        repositories,
        keyRing,
        {
          tenantId,
          identityProviderId: provider.id,
          identityProviderUserId: identity.identityProviderUserId,
          ...(identity.displayName === undefined ? {} : { displayName: identity.displayName }),
          ...(identity.email === undefined ? {} : { email: identity.email }),
          ...(identity.username === undefined ? {} : { username: identity.username }),
          ...(request.tokens?.refreshToken === undefined ? {} : { token: request.tokens.refreshToken }),
        },
        now,
      );
      return { kind: 'pending', pendingId };
    }
    case 'linked':
    case 'link':
      user = await repositories.users.find(decision.userId);
      break;
    case 'create':
      user = newUser(tenantId, { email: decision.email, username: decision.username, verified: decision.emailVerified }, request.profile, now);
      await repositories.users.insert(user);
      createdUser = true;
      break;
    case 'anonymous':
      user = newUser(tenantId, { email: undefined, username: undefined, verified: false }, request.profile, now);
      await repositories.users.insert(user);
      createdUser = true;
      break;
  }
  if (user === undefined) return { kind: 'refused', reason: 'noUser' };

  if (existing === undefined) {
    const limit = linkLimit(provider, tenantId);
    if (limit.enabled && (await repositories.identityProviderLinks.countByUser(user.id, provider.id)) >= limit.maximumLinks) return { kind: 'refused', reason: 'linkLimit' };
  }
  const link = await recordLink(repositories, keyRing, { existing, user, identityProviderId: provider.id, identity, tokens: request.tokens }, now);
  const linkEvent = existing === undefined ? await request.stageLinkEvent?.(repositories, link, user) : undefined;

  if (createsRegistration(provider, application.id) && (await repositories.registrations.find(user.id, application.id)) === undefined) {
    await createRegistration(repositories, user, { applicationId: application.id }, now);
  }
  await repositories.logins.recordSuccess({ userId: user.id, applicationId: application.id, instant: now, upgradedPassword: undefined, clearFailures: false, refreshToken: undefined });
  const registrations = await repositories.registrations.listByUser(user.id);
  return { kind: 'signedIn', user: { ...user, lastLoginInstant: now }, registrations, link, linked: existing === undefined, ...(linkEvent === undefined ? {} : { linkEvent }), createdUser };
}

function newUser(
  tenantId: string,
  loginIds: { readonly email: string | undefined; readonly username: string | undefined; readonly verified: boolean },
  profile: Readonly<Record<string, unknown>>,
  now: number,
): User {
  return {
    id: randomUUID(),
    tenantId,
    email: loginIds.email,
    username: loginIds.username,
    password: undefined,
    passwordChangeRequired: false,
    passwordLastUpdateInstant: undefined,
    active: true,
    verified: loginIds.verified,
    verifiedInstant: loginIds.verified ? now : undefined,
    profile: profileOf(profile),
    expiry: undefined,
    lastLoginInstant: undefined,
    insertInstant: now,
    lastUpdateInstant: now,
  };
}
