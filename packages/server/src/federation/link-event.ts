import type { EventBus } from '../events/event-bus.ts';
import type { EventInfo, GatehouseEvent, LinkedProvider } from '../events/event-catalogue.ts';
import type { IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { User } from '../store/repositories/user-repository.ts';

/**
 * How a caller has a new link's `user.identity-provider.link` event written in the link's own transaction
 * (the outbox, docs/events.md): called with that transaction's repositories; the event it returns is
 * handed back with the outcome, for the caller to publish once the transaction committed.
 */
export type StageLinkEvent = (repositories: Repositories, link: IdentityProviderLink, user: User) => Promise<GatehouseEvent>;

/** The usual stager: a `user.identity-provider.link` event of the provider, with the request's info. */
export function stageLinkEventsOf(events: Pick<EventBus, 'stage'>, provider: LinkedProvider, info: EventInfo): StageLinkEvent {
  return (repositories, link, user) => events.stage(repositories, { type: 'user.identity-provider.link', tenantId: link.tenantId, info, identityProviderLink: link, identityProvider: provider, user });
}
