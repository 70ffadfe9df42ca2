/**
 * The hub's one call: a fresh upstream access token for a link (docs/hub.md).
 *
 * - A stored access token valid beyond the safety margin is returned as it is: no upstream call.
 * - Otherwise the link's refresh token is redeemed at the upstream, exactly once per expiry across the
 *   cluster: callers in this process share one refresh (single flight); across processes the refresh runs
 *   under the link's row lock, and whoever gets the lock after another process refreshed finds the new
 *   token on re-reading the row and uses it.
 * - Rotation-safe: the upstream's new refresh token is stored in the same transaction as the new access
 *   token; an answer without one keeps the old one.
 * - Failure-aware: invalid_grant (or no refresh token at all) marks the link reauthorization_required,
 *   drops its tokens (VAULT-06) and emits an event; an unreachable upstream leaves the tokens as they
 *   are and sets a backoff every node respects.
 *
 * Crash rule: a refresh whose answer was never committed did not happen. The old refresh token is used
 * again; an upstream that rotates strictly (the old token dies the moment a new one is issued) then
 * answers invalid_grant and the link asks for reauthorization — never a silently broken link.
 */
import type { EventBus } from '../events/event-bus.ts';
import type { GatehouseEvent } from '../events/event-catalogue.ts';
import { FederationError } from '../federation/federation-error.ts';
import { accessTokenContext, refreshTokenContext, withUpstreamTokens } from '../federation/link-tokens.ts';
import { upstreamClient, upstreamEndpoints } from '../federation/upstream-client.ts';
import { UpstreamError } from '../federation/upstream-http.ts';
import { UpstreamMetadataError } from '../federation/upstream-metadata.ts';
import { requestTokens, type UpstreamTokens } from '../federation/upstream-token-request.ts';
import type { Upstreams } from '../federation/upstreams.ts';
import { UnsealError, type KeyRing } from '../keys/key-ring.ts';
import type { IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import type { Store } from '../store/store.ts';
import { refreshBackoffMs } from './refresh-backoff.ts';
import { VaultError } from './vault-error.ts';
import { recordEventLog } from '../events/operator-log.ts';

export interface LinkAccessToken {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  /** Seconds left, from now. */
  readonly expiresIn: number;
  readonly expirationInstant: number;
  readonly scope: string | undefined;
  readonly identityProviderUserId: string;
}

export interface LinkAccessTokensDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly upstreams: Upstreams;
  readonly events: EventBus;
  readonly now: () => number;
  /** A token expiring within this many milliseconds counts as expired (GATEHOUSE_VAULT_REFRESH_MARGIN_SECONDS). */
  readonly refreshMarginMs: number;
}

export interface LinkAccessTokens {
  /** A fresh access token for the link; throws VaultError. `forceRefresh` skips the stored one. */
  accessToken(link: IdentityProviderLink, options?: { readonly forceRefresh?: boolean }): Promise<LinkAccessToken>;
  /** Refreshes now whatever the stored token's expiry (the keep-alive job); same guarantees. */
  refresh(link: IdentityProviderLink): Promise<LinkAccessToken>;
}

/** What one locked refresh decided; events and errors follow the commit. */
type RefreshOutcome =
  | { readonly kind: 'token'; readonly link: IdentityProviderLink; readonly event?: GatehouseEvent }
  | { readonly kind: 'reauthorize'; readonly link: IdentityProviderLink; readonly code: string; readonly event?: GatehouseEvent }
  | { readonly kind: 'unavailable'; readonly retryAfterSeconds: number; readonly detail: string };

export function createLinkAccessTokens(deps: LinkAccessTokensDeps): LinkAccessTokens {
  const inFlight = new Map<string, Promise<LinkAccessToken>>();

  const usable = (link: IdentityProviderLink, now: number): boolean =>
    link.accessTokenSealed !== undefined && link.accessTokenExpirationInstant !== undefined && link.accessTokenExpirationInstant - deps.refreshMarginMs > now;

  const view = (link: IdentityProviderLink, now: number): LinkAccessToken => ({
    accessToken: deps.keyRing.unseal(link.accessTokenSealed!, accessTokenContext(link.id)).toString('utf8'),
    tokenType: 'Bearer',
    expiresIn: Math.max(0, Math.floor((link.accessTokenExpirationInstant! - now) / 1000)),
    expirationInstant: link.accessTokenExpirationInstant!,
    scope: link.scopes,
    identityProviderUserId: link.identityProviderUserId,
  });

  const refused = (link: Pick<IdentityProviderLink, 'status'>): VaultError =>
    link.status === 'revoked'
      ? new VaultError('revoked', 'The link was revoked; the user must connect the account again.')
      : new VaultError('reauthorization_required', 'The upstream no longer accepts this link’s grant; the user must reconnect the account.');

  async function refreshLocked(linkId: string, observedVersion: number, force: boolean): Promise<LinkAccessToken> {
    const first = await deps.store.repositories.identityProviderLinks.find(linkId);
    if (first === undefined) throw new VaultError('reauthorization_required', 'The link no longer exists.');
    const provider = await deps.store.repositories.identityProviders.find(first.identityProviderId);
    const endpoint = provider === undefined ? undefined : await tokenEndpoint(provider);

    // The hub's events are written with the link change that causes them (the outbox), published after it.
    const linkEvent = (repositories: Repositories, link: IdentityProviderLink, reason?: string) =>
      deps.events.stage(repositories, {
        type: reason === undefined ? 'identity-provider.link.token.refreshed' : 'identity-provider.link.reauthorization-required',
        tenantId: link.tenantId,
        identityProviderLink: link,
        ...(reason === undefined ? {} : { reason: { code: reason } }),
        ...(provider === undefined ? {} : { identityProvider: provider }),
      });

    const outcome = await deps.store.transaction(async (repositories): Promise<RefreshOutcome> => {
      const link = await repositories.identityProviderLinks.findForUpdate(linkId);
      if (link === undefined) return { kind: 'reauthorize', link: first, code: 'link_deleted' };
      if (link.status !== 'active') return { kind: 'reauthorize', link, code: link.status };
      const now = deps.now();
      // The version grew since the caller read the link: another process wrote new tokens meanwhile, use them
      // (compare-and-swap on the version, so clocks that disagree between nodes do not matter).
      const refreshedMeanwhile = link.version > observedVersion;
      if (usable(link, now) && (!force || refreshedMeanwhile)) return { kind: 'token', link };
      if (link.refreshRetryInstant !== undefined && link.refreshRetryInstant > now) {
        return { kind: 'unavailable', retryAfterSeconds: Math.ceil((link.refreshRetryInstant - now) / 1000), detail: 'backing off' };
      }
      if (link.tokenSealed === undefined || provider === undefined || endpoint === undefined) {
        const updated = dropGrant(link, now);
        await repositories.identityProviderLinks.update(updated);
        return { kind: 'reauthorize', link: updated, code: 'no_refresh_token', event: await linkEvent(repositories, updated, 'no_refresh_token') };
      }
      const refreshToken = deps.keyRing.unseal(link.tokenSealed, refreshTokenContext(link.id)).toString('utf8');
      let tokens: UpstreamTokens;
      try {
        tokens = await requestTokens(deps.upstreams, upstreamClient(deps.keyRing, provider), endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken });
      } catch (error) {
        if (error instanceof FederationError && error.reason === 'code_refused' && error.oauthError === 'invalid_grant') {
          const updated = dropGrant(link, now);
          await repositories.identityProviderLinks.update(updated);
          return { kind: 'reauthorize', link: updated, code: 'invalid_grant', event: await linkEvent(repositories, updated, 'invalid_grant') };
        }
        if (!(error instanceof FederationError)) throw error;
        const failures = link.refreshFailures + 1;
        const retryInstant = now + refreshBackoffMs(failures);
        await repositories.identityProviderLinks.update({ ...link, refreshFailures: failures, refreshRetryInstant: retryInstant });
        return { kind: 'unavailable', retryAfterSeconds: Math.ceil((retryInstant - now) / 1000), detail: error.message };
      }
      if (tokens.accessToken === undefined) {
        const failures = link.refreshFailures + 1;
        const retryInstant = now + refreshBackoffMs(failures);
        await repositories.identityProviderLinks.update({ ...link, refreshFailures: failures, refreshRetryInstant: retryInstant });
        return { kind: 'unavailable', retryAfterSeconds: Math.ceil((retryInstant - now) / 1000), detail: 'the upstream answered without an access token' };
      }
      const updated: IdentityProviderLink = {
        ...link,
        ...withUpstreamTokens(deps.keyRing, link.id, link, tokens),
        version: link.version + 1,
        lastRefreshInstant: now,
        refreshFailures: 0,
        refreshRetryInstant: undefined,
      };
      await repositories.identityProviderLinks.update(updated);
      return { kind: 'token', link: updated, event: await linkEvent(repositories, updated) };
    });

    if (outcome.kind !== 'unavailable' && outcome.event !== undefined) deps.events.publish(outcome.event);
    switch (outcome.kind) {
      case 'token':
        return view(outcome.link, deps.now());
      case 'reauthorize':
        if (outcome.code === 'invalid_grant' || outcome.code === 'no_refresh_token') await recordEventLog(deps.store, { type: 'Error', message: `Refreshing the tokens of identity provider link [${outcome.link.id}] failed: ${outcome.code}; the user must reconnect the account.`, insertInstant: deps.now() });
        throw refused(outcome.link);
      case 'unavailable':
        if (outcome.detail !== 'backing off') await recordEventLog(deps.store, { type: 'Error', message: `Refreshing the tokens of identity provider link [${linkId}] failed at the upstream (${outcome.detail}); retrying in ${outcome.retryAfterSeconds} s.`, insertInstant: deps.now() });
        throw new VaultError('upstream_unavailable', `The identity provider cannot refresh the token right now (${outcome.detail}).`, Math.max(1, outcome.retryAfterSeconds));
    }
  }

  /** The provider's token endpoint, discovered (cached) before any lock is taken. */
  async function tokenEndpoint(provider: IdentityProvider): Promise<string | undefined> {
    if (provider.type === 'ExternalJWT') return undefined;
    try {
      return (await upstreamEndpoints(upstreamClient(deps.keyRing, provider), deps.upstreams.metadata)).token;
    } catch (error) {
      if (error instanceof UpstreamError || error instanceof UpstreamMetadataError) throw new VaultError('upstream_unavailable', `The identity provider cannot be reached (${error.message}).`, 5);
      throw error;
    }
  }

  function shared(link: IdentityProviderLink, force: boolean): Promise<LinkAccessToken> {
    const pending = inFlight.get(link.id);
    // A caller arriving during a refresh shares it: its answer is newer than the call.
    if (pending !== undefined) return pending;
    const started = refreshLocked(link.id, link.version, force).finally(() => inFlight.delete(link.id));
    inFlight.set(link.id, started);
    return started;
  }

  return {
    async accessToken(link, options = {}) {
      if (link.status !== 'active') throw refused(link);
      return unsealed(() => (options.forceRefresh !== true && usable(link, deps.now()) ? Promise.resolve(view(link, deps.now())) : shared(link, options.forceRefresh === true)));
    },
    refresh(link) {
      return unsealed(() => shared(link, true));
    },
  };
}

/** The upstream refused the grant: the link waits for the user, with no stale token kept (VAULT-06). */
function dropGrant(link: IdentityProviderLink, now: number): IdentityProviderLink {
  return {
    ...link,
    status: 'reauthorization_required',
    tokenSealed: undefined,
    accessTokenSealed: undefined,
    accessTokenExpirationInstant: undefined,
    idTokenSealed: undefined,
    refreshTokenExpirationInstant: undefined,
    version: link.version + 1,
    lastRefreshInstant: now,
    refreshFailures: 0,
    refreshRetryInstant: undefined,
  };
}

/**
 * A sealed token that does not open — copied from another row (VAULT-02) or sealed with a master key no
 * longer configured — is never used and never a 500: the link answers as one the user must reconnect.
 */
async function unsealed<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnsealError) throw new VaultError('reauthorization_required', 'The link’s stored tokens cannot be opened; the user must reconnect the account.');
    throw error;
  }
}
