/**
 * The hub's optional keep-alive job (docs/hub.md, GATEHOUSE_VAULT_KEEP_ALIVE_INTERVAL_SECONDS):
 * - refreshes links whose refresh tokens would expire from inactivity (their provider's
 *   `refreshTokenIdleTimeoutInSeconds`), through the same engine as the API, so a refresh here is
 *   exactly-once and rotation-safe too;
 * - warns (`identity-provider.link.refresh-token.expiring`) once per expiry when a refresh token's
 *   known absolute expiry falls within the warning window: refreshing cannot extend it, the user must
 *   reconnect before then.
 * Each run claims a batch with leases (FOR UPDATE SKIP LOCKED), so every node may run the job.
 */
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus.ts';
import type { Store } from '../store/store.ts';
import type { LinkAccessTokens } from './link-access-tokens.ts';
import { VaultError } from './vault-error.ts';

export interface KeepAliveDeps {
  readonly store: Store;
  readonly linkTokens: LinkAccessTokens;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly now: () => number;
  /** How far ahead of a refresh token's known expiry the warning goes out. */
  readonly expiryWarningMs: number;
  readonly batchSize?: number;
  /** How long a claimed link is this node's: longer than a batch of refreshes takes. */
  readonly leaseMs?: number;
}

export interface KeepAliveRun {
  readonly refreshed: number;
  readonly failed: number;
  readonly warned: number;
}

export interface KeepAliveJob {
  runOnce(): Promise<KeepAliveRun>;
  /** Runs every `intervalMs` (never two runs at once in this process) until `stop`. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createKeepAliveJob(deps: KeepAliveDeps): KeepAliveJob {
  const batchSize = deps.batchSize ?? 50;
  const leaseMs = deps.leaseMs ?? 300_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function runOnce(): Promise<KeepAliveRun> {
    const now = deps.now();
    const repositories = deps.store.repositories;
    let refreshed = 0;
    let failed = 0;
    for (const link of await repositories.linkKeepAlive.claimIdle(now, now + leaseMs, batchSize)) {
      try {
        await deps.linkTokens.refresh(link);
        refreshed++;
      } catch (error) {
        // The engine already marked the link and emitted its event (reauthorization) or set a backoff.
        failed++;
        deps.logger.warn({ linkId: link.id, reason: error instanceof VaultError ? error.reason : 'unexpected' }, 'keep-alive refresh failed');
      }
    }
    const expiring = await repositories.linkKeepAlive.claimExpiring(now + deps.expiryWarningMs, batchSize);
    for (const link of expiring) {
      const provider = await repositories.identityProviders.find(link.identityProviderId);
      await deps.events.emit({
        type: 'identity-provider.link.refresh-token.expiring',
        tenantId: link.tenantId,
        identityProviderLink: link,
        ...(link.refreshTokenExpirationInstant === undefined ? {} : { refreshTokenExpirationInstant: link.refreshTokenExpirationInstant }),
        ...(provider === undefined ? {} : { identityProvider: provider }),
      });
    }
    return { refreshed, failed, warned: expiring.length };
  }

  return {
    runOnce,
    start(intervalMs) {
      timer = setInterval(() => {
        if (running !== undefined) return;
        running = runOnce()
          .catch((error: unknown) => deps.logger.error({ err: error }, 'keep-alive run failed'))
          .finally(() => {
            running = undefined;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
