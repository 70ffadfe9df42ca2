/**
 * Connecting another upstream account to a signed-in user (docs/hub.md, "Connecting accounts"): unlike a
 * federated sign-in, no linking strategy runs and nobody signs in — the upstream account is linked to
 * the user who started the connect, or refused. Several accounts of one provider may be linked; the same
 * upstream account connected again updates its link in place (record-link.ts).
 */
import type { KeyRing } from '../keys/key-ring.ts';
import type { IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import type { User } from '../store/repositories/user-repository.ts';
import { DuplicateError } from '../store/store-errors.ts';
import type { Store } from '../store/store.ts';
import { linkLimit } from './identity-provider-links.ts';
import type { UpstreamIdentity } from './linking-strategy.ts';
import { recordLink } from './record-link.ts';
import type { UpstreamTokens } from './upstream-code-exchange.ts';
import type { GatehouseEvent } from '../events/event-catalogue.ts';
import type { StageLinkEvent } from './link-event.ts';

export interface ConnectRequest {
  readonly provider: IdentityProvider;
  /** The signed-in user the connect was started for. */
  readonly userId: string;
  readonly tenantId: string;
  readonly identity: UpstreamIdentity;
  readonly tokens: UpstreamTokens | undefined;
  /** Writes the event of a new link in its transaction (link-event.ts). */
  readonly stageLinkEvent?: StageLinkEvent;
}

/** `linkedToAnotherUser`: the upstream account is already another user's; `linkLimit`: the provider's tenant limit is reached. */
export type ConnectRefusal = 'linkedToAnotherUser' | 'linkLimit' | 'noUser';

export type ConnectOutcome =
  | {
      readonly kind: 'connected';
      readonly user: User;
      readonly link: IdentityProviderLink;
      /** A new link (a `user.identity-provider.link` event)... */
      readonly linked: boolean;
      /** ...and that event, written with the link: publish it. */
      readonly linkEvent?: GatehouseEvent;
    }
  | { readonly kind: 'refused'; readonly reason: ConnectRefusal };

/**
 * Links the upstream account to the user, in one transaction with the link's row locked (a refresh of its
 * tokens writes before or after). Two connects of one new upstream account at once: the loser's insert
 * fails on the unique key and it runs again, then finds the winner's link.
 */
export async function connectUpstreamAccount(deps: { readonly store: Store; readonly keyRing: KeyRing }, request: ConnectRequest, now: number): Promise<ConnectOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.store.transaction(async (repositories): Promise<ConnectOutcome> => {
        const user = await repositories.users.find(request.userId);
        if (user === undefined || user.tenantId !== request.tenantId) return { kind: 'refused', reason: 'noUser' };
        const existing = await repositories.identityProviderLinks.findByUpstream(request.provider.id, request.identity.identityProviderUserId, { forUpdate: true });
        if (existing !== undefined && existing.userId !== user.id) return { kind: 'refused', reason: 'linkedToAnotherUser' };
        if (existing === undefined) {
          const limit = linkLimit(request.provider, user.tenantId);
          if (limit.enabled && (await repositories.identityProviderLinks.countByUser(user.id, request.provider.id)) >= limit.maximumLinks) return { kind: 'refused', reason: 'linkLimit' };
        }
        const link = await recordLink(repositories, deps.keyRing, { existing, user, identityProviderId: request.provider.id, identity: request.identity, tokens: request.tokens }, now);
        const linkEvent = existing === undefined ? await request.stageLinkEvent?.(repositories, link, user) : undefined;
        return { kind: 'connected', user, link, linked: existing === undefined, ...(linkEvent === undefined ? {} : { linkEvent }) };
      });
    } catch (error) {
      if (!(error instanceof DuplicateError) || attempt >= 2) throw error;
    }
  }
}
