import type { IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { User } from '../store/repositories/user-repository.ts';

/** Every event type Gatehouse emits, in FusionAuth's names (its `EventType`), so webhooks can later match them one to one. */
export const eventTypes = [
  'user.login.success',
  'user.login.failed',
  'user.identity-provider.link',
  'user.identity-provider.unlink',
  'user.create',
  'user.update',
  'user.delete',
  'user.deactivate',
  'user.reactivate',
  // The hub's own events (Gatehouse names: FusionAuth has none).
  'identity-provider.link.token.refreshed',
  'identity-provider.link.reauthorization-required',
  'identity-provider.link.refresh-token.expiring',
] as const;

export type EventType = (typeof eventTypes)[number];

/**
 * FusionAuth's `authenticationType` values (the JWT claim of the same name). Any other string is accepted
 * too, so a flow that already carries the claim (an SSO session's) can pass it on without a cast.
 */
export type AuthenticationType =
  | 'PASSWORD'
  | 'PING'
  | 'JWT_SSO'
  | 'REFRESH_TOKEN'
  | 'FEDERATED_JWT'
  | 'OPENID_CONNECT'
  | 'GOOGLE'
  | 'APPLE'
  | 'FACEBOOK'
  | 'LINKEDIN'
  | 'TWITTER'
  | 'SAMLv2'
  | (string & {});

/** FusionAuth's `event.info`: where the request that caused the event came from. */
export interface EventInfo {
  readonly ipAddress?: string;
  readonly userAgent?: string;
}

/**
 * The user as an event shows it: FusionAuth's user fields without any credential. Built here rather than
 * with api/user/user-json.ts because a domain module never imports api/ (and a payload must never grow a
 * field just because the API response did).
 */
export interface EventUser {
  readonly id: string;
  readonly tenantId: string;
  readonly email?: string;
  readonly username?: string;
  readonly firstName?: string;
  readonly middleName?: string;
  readonly lastName?: string;
  readonly fullName?: string;
  readonly imageUrl?: string;
  readonly preferredLanguages?: readonly string[];
  readonly timezone?: string;
  readonly active: boolean;
  readonly verified: boolean;
  readonly passwordChangeRequired: boolean;
  readonly lastLoginInstant?: number;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** FusionAuth's identityProviderLink without its `token`: the upstream refresh token never leaves the store in an event. */
export interface EventIdentityProviderLink {
  readonly displayName?: string;
  readonly identityProviderId: string;
  readonly identityProviderName?: string;
  readonly identityProviderType?: string;
  readonly identityProviderUserId: string;
  readonly insertInstant: number;
  readonly lastLoginInstant: number;
  readonly tenantId: string;
  readonly userId: string;
}

interface EventEnvelope {
  /** Unique per event, so a receiver can drop duplicates once delivery retries. */
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly createInstant: number;
  readonly tenantId: string;
  readonly info?: EventInfo;
}

export interface LoginSuccessEvent extends EventEnvelope {
  readonly type: 'user.login.success';
  readonly applicationId?: string;
  readonly authenticationType: AuthenticationType;
  readonly identityProviderId?: string;
  readonly identityProviderName?: string;
  readonly ipAddress?: string;
  readonly user: EventUser;
}

export interface LoginFailedEvent extends EventEnvelope {
  readonly type: 'user.login.failed';
  readonly applicationId?: string;
  readonly authenticationType: AuthenticationType;
  readonly ipAddress?: string;
  /** FusionAuth's EventReason: `credentials` for a wrong password. */
  readonly reason?: { readonly code: string };
  readonly user: EventUser;
}

interface LinkChange extends EventEnvelope {
  readonly identityProviderLink: EventIdentityProviderLink;
  readonly user?: EventUser;
}

export interface IdentityProviderLinkEvent extends LinkChange {
  readonly type: 'user.identity-provider.link';
}

export interface IdentityProviderUnlinkEvent extends LinkChange {
  readonly type: 'user.identity-provider.unlink';
}

/**
 * The hub's events about a link's tokens (docs/hub.md): refreshed at the upstream; refused by the
 * upstream so that the user must reconnect (`reason.code`: invalid_grant, no_refresh_token, ...); or a
 * refresh token whose known absolute expiry is near (`refreshTokenExpirationInstant`).
 */
export interface LinkTokenEvent extends LinkChange {
  readonly type: 'identity-provider.link.token.refreshed' | 'identity-provider.link.reauthorization-required' | 'identity-provider.link.refresh-token.expiring';
  readonly reason?: { readonly code: string };
  readonly refreshTokenExpirationInstant?: number;
}

/**
 * A user's lifecycle through the management API (FusionAuth's names): created, updated (`original` is the
 * user before), deleted (hard delete), deactivated (soft delete) and reactivated.
 */
export interface UserLifecycleEvent extends EventEnvelope {
  readonly type: 'user.create' | 'user.update' | 'user.delete' | 'user.deactivate' | 'user.reactivate';
  readonly user: EventUser;
  readonly original?: EventUser;
}

/** One event as listeners and webhooks receive it: discriminated on `type`. */
export type GatehouseEvent = LoginSuccessEvent | LoginFailedEvent | IdentityProviderLinkEvent | IdentityProviderUnlinkEvent | LinkTokenEvent | UserLifecycleEvent;

/** The provider a link belongs to, for the link's name and type. */
export interface LinkedProvider {
  readonly name: string;
  readonly type: string;
}

type WithoutEnvelope<E> = E extends unknown ? Omit<E, 'id' | 'createInstant' | 'user' | 'identityProviderLink'> : never;

/**
 * What `EventBus.emit` takes: the event without id and instant, holding the domain objects themselves
 * (a User, an IdentityProviderLink) so that the projection without credentials is applied in one place
 * and a caller cannot hand over a password hash or a token by mistake.
 */
export type GatehouseEventInput =
  | (WithoutEnvelope<LoginSuccessEvent> & { readonly user: User })
  | (WithoutEnvelope<LoginFailedEvent> & { readonly user: User })
  | (WithoutEnvelope<IdentityProviderLinkEvent | IdentityProviderUnlinkEvent | LinkTokenEvent> & { readonly identityProviderLink: IdentityProviderLink; readonly identityProvider?: LinkedProvider; readonly user?: User })
  | (Omit<WithoutEnvelope<UserLifecycleEvent>, 'original'> & { readonly user: User; readonly original?: User });

/** The user without its password, hash, salt or scheme. */
export function eventUser(user: User): EventUser {
  const { firstName, middleName, lastName, fullName, imageUrl, preferredLanguages, timezone, data } = user.profile;
  return {
    id: user.id,
    tenantId: user.tenantId,
    ...(user.email === undefined ? {} : { email: user.email }),
    ...(user.username === undefined ? {} : { username: user.username }),
    ...(firstName === undefined ? {} : { firstName }),
    ...(middleName === undefined ? {} : { middleName }),
    ...(lastName === undefined ? {} : { lastName }),
    ...(fullName === undefined ? {} : { fullName }),
    ...(imageUrl === undefined ? {} : { imageUrl }),
    ...(preferredLanguages === undefined ? {} : { preferredLanguages: [...preferredLanguages] }),
    ...(timezone === undefined ? {} : { timezone }),
    active: user.active,
    verified: user.verified,
    passwordChangeRequired: user.passwordChangeRequired,
    ...(user.lastLoginInstant === undefined ? {} : { lastLoginInstant: user.lastLoginInstant }),
    insertInstant: user.insertInstant,
    lastUpdateInstant: user.lastUpdateInstant,
    data: structuredClone(data),
  };
}

/** The link without its sealed token. */
export function eventLink(link: IdentityProviderLink, provider: LinkedProvider | undefined): EventIdentityProviderLink {
  return {
    ...(link.displayName === undefined ? {} : { displayName: link.displayName }),
    identityProviderId: link.identityProviderId,
    ...(provider === undefined ? {} : { identityProviderName: provider.name, identityProviderType: provider.type }),
    identityProviderUserId: link.identityProviderUserId,
    insertInstant: link.insertInstant,
    lastLoginInstant: link.lastLoginInstant,
    tenantId: link.tenantId,
    userId: link.userId,
  };
}

/** The request's address and user agent as `event.info`, leaving out what is unknown. */
export function eventInfo(ipAddress: string | undefined, userAgent: string | undefined): EventInfo {
  return { ...(ipAddress === undefined ? {} : { ipAddress }), ...(userAgent === undefined ? {} : { userAgent }) };
}

/** The event an input stands for, its domain objects projected (see GatehouseEventInput). */
export function toEvent(input: GatehouseEventInput, id: string, createInstant: number): GatehouseEvent {
  switch (input.type) {
    case 'user.login.success':
    case 'user.login.failed': {
      const { user, ...rest } = input;
      return { ...rest, id, createInstant, user: eventUser(user) };
    }
    case 'user.create':
    case 'user.update':
    case 'user.delete':
    case 'user.deactivate':
    case 'user.reactivate': {
      const { user, original, ...rest } = input;
      return { ...rest, id, createInstant, user: eventUser(user), ...(original === undefined ? {} : { original: eventUser(original) }) };
    }
    case 'user.identity-provider.link':
    case 'user.identity-provider.unlink':
    case 'identity-provider.link.token.refreshed':
    case 'identity-provider.link.reauthorization-required':
    case 'identity-provider.link.refresh-token.expiring': {
      const { identityProviderLink, identityProvider, user, ...rest } = input;
      return { ...rest, id, createInstant, identityProviderLink: eventLink(identityProviderLink, identityProvider), ...(user === undefined ? {} : { user: eventUser(user) }) };
    }
  }
}
