import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { linkingStrategies } from './identity-provider-schema.ts';

/**
 * What a federation login does with the upstream identity it brings, by the provider's linking strategy
 * (FusionAuth's IdentityProviderLinkingStrategy). The decision only reads: the caller acts on it
 * (logs in, links with linkUser, creates the user, or stores a pending link with createPendingLink).
 */

export type LinkingStrategy = (typeof linkingStrategies)[number];

/** The identity the upstream asserted, its claims resolved through the provider's claim names. */
export interface UpstreamIdentity {
  readonly identityProviderUserId: string;
  readonly email?: string | undefined;
  /** The email_verified claim: undefined when the upstream did not send it. */
  readonly emailVerified?: boolean | undefined;
  readonly username?: string | undefined;
  readonly displayName?: string | undefined;
}

/** The reads the decision needs, so that it runs against the real store (storeLinkingLookups) or anything else. */
export interface LinkingLookups {
  /** The link of this upstream account, whichever tenant its user is in. */
  findLink(identityProviderId: string, identityProviderUserId: string): Promise<{ readonly userId: string; readonly tenantId: string } | undefined>;
  /** The id of the tenant's user with this email or username (case-insensitive). */
  findUserIdByEmail(tenantId: string, email: string): Promise<string | undefined>;
  findUserIdByUsername(tenantId: string, username: string): Promise<string | undefined>;
}

export type LinkingRefusal =
  /** Disabled: only links made through the Links API log in (FusionAuth answers 404). */
  | 'disabled'
  /** The Unsupported placeholder value. */
  | 'unsupported'
  /** A ...ForExistingUser strategy found no user. */
  | 'noUser'
  | 'missingEmail'
  | 'missingUsername'
  /** The email would link to an existing user but the upstream does not vouch for it. */
  | 'unverifiedEmail'
  /** A new user cannot take an email or username another user of the tenant holds. */
  | 'emailInUse'
  | 'usernameInUse'
  /** The upstream account is linked to a user of another tenant. */
  | 'linkedInAnotherTenant';

export type LinkingDecision =
  /** A link exists: log in as its user. */
  | { readonly kind: 'linked'; readonly userId: string }
  /** Link the upstream account to this existing user, then log in. */
  | { readonly kind: 'link'; readonly userId: string }
  /** Create a user with these login ids, then link it; `emailVerified` says whether its email starts verified. */
  | { readonly kind: 'create'; readonly email: string | undefined; readonly emailVerified: boolean; readonly username: string | undefined }
  /** CreatePendingLink: store a pending link (createPendingLink) and answer 232 with its id. */
  | { readonly kind: 'pending' }
  /** LinkAnonymously: create a user with no email and no username, then link it. */
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'refused'; readonly reason: LinkingRefusal };

/** The provider's strategy, FusionAuth's default LinkByEmail when unset. */
export function linkingStrategyOf(provider: Pick<IdentityProvider, 'settings'>): LinkingStrategy {
  const value = provider.settings['linkingStrategy'];
  return linkingStrategies.includes(value as LinkingStrategy) ? (value as LinkingStrategy) : 'LinkByEmail';
}

/**
 * Whether the upstream email may be trusted as the user's: email_verified true always is; false never is;
 * an absent claim only when the provider sets linkOnlyVerifiedEmails: false (default true).
 */
export function isEmailTrusted(provider: Pick<IdentityProvider, 'settings'>, emailVerified: boolean | undefined): boolean {
  if (emailVerified !== undefined) return emailVerified;
  return provider.settings['linkOnlyVerifiedEmails'] === false;
}

const present = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());
const refused = (reason: LinkingRefusal): LinkingDecision => ({ kind: 'refused', reason });

export async function decideLinking(
  provider: Pick<IdentityProvider, 'id' | 'settings'>,
  tenantId: string,
  identity: UpstreamIdentity,
  lookups: LinkingLookups,
): Promise<LinkingDecision> {
  // An existing link wins under every strategy, Disabled included (links made through the Links API).
  const link = await lookups.findLink(provider.id, identity.identityProviderUserId);
  if (link !== undefined) return link.tenantId === tenantId ? { kind: 'linked', userId: link.userId } : refused('linkedInAnotherTenant');

  const email = present(identity.email);
  const username = present(identity.username);
  const emailTrusted = email !== undefined && isEmailTrusted(provider, identity.emailVerified);

  /** A new user with the upstream's email and username, neither of them taken in the tenant (`known`: already looked up). */
  const create = async (known: 'email' | 'username'): Promise<LinkingDecision> => {
    if (known !== 'email' && email !== undefined && (await lookups.findUserIdByEmail(tenantId, email)) !== undefined) return refused('emailInUse');
    if (known !== 'username' && username !== undefined && (await lookups.findUserIdByUsername(tenantId, username)) !== undefined) return refused('usernameInUse');
    return { kind: 'create', email, emailVerified: emailTrusted, username };
  };

  const strategy = linkingStrategyOf(provider);
  switch (strategy) {
    case 'CreatePendingLink':
      return { kind: 'pending' };
    case 'Disabled':
      return refused('disabled');
    case 'Unsupported':
      return refused('unsupported');
    case 'LinkAnonymously':
      return { kind: 'anonymous' };
    case 'LinkByEmail':
    case 'LinkByEmailForExistingUser': {
      if (email === undefined) return refused('missingEmail');
      const userId = await lookups.findUserIdByEmail(tenantId, email);
      if (userId !== undefined) return emailTrusted ? { kind: 'link', userId } : refused('unverifiedEmail');
      if (strategy === 'LinkByEmailForExistingUser') return refused(emailTrusted ? 'noUser' : 'unverifiedEmail');
      // A new user may hold an email the upstream does not vouch for: it starts unverified.
      return create('email');
    }
    case 'LinkByUsername':
    case 'LinkByUsernameForExistingUser': {
      if (username === undefined) return refused('missingUsername');
      const userId = await lookups.findUserIdByUsername(tenantId, username);
      if (userId !== undefined) return { kind: 'link', userId };
      return strategy === 'LinkByUsernameForExistingUser' ? refused('noUser') : create('username');
    }
  }
}

/** The lookups over the store. */
export function storeLinkingLookups(repositories: Repositories): LinkingLookups {
  return {
    async findLink(identityProviderId, identityProviderUserId) {
      const link = await repositories.identityProviderLinks.findByUpstream(identityProviderId, identityProviderUserId);
      return link === undefined ? undefined : { userId: link.userId, tenantId: link.tenantId };
    },
    async findUserIdByEmail(tenantId, email) {
      return (await repositories.users.findByEmail(email, tenantId))[0]?.id;
    },
    async findUserIdByUsername(tenantId, username) {
      return (await repositories.users.findByUsername(username, tenantId))[0]?.id;
    },
  };
}
