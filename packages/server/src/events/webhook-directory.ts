/**
 * Which webhooks want an event: read from the store and kept for a few seconds per node, since every
 * event asks (a login too). A change made through this node clears it at once (app.ts); other nodes see
 * it within `ttlMs`, so a webhook created elsewhere misses at most those seconds of events.
 */
import type { Repositories } from '../store/repositories/index.ts';
import type { Webhook } from '../store/repositories/webhook-repository.ts';

export interface WebhookDirectory {
  /**
   * The webhooks subscribed to events of `type` of `tenantId` (global ones, or those naming the tenant).
   * `repositories` reads them when the cache is cold: the caller's transaction, if it is in one (the
   * embedded store has one connection, which an open transaction holds).
   */
  subscribers(repositories: Pick<Repositories, 'webhooks'>, type: string, tenantId: string | undefined): Promise<Webhook[]>;
  clear(): void;
}

export function createWebhookDirectory(options: { readonly now: () => number; readonly ttlMs?: number }): WebhookDirectory {
  const ttlMs = options.ttlMs ?? 5_000;
  let cached: { readonly webhooks: Promise<Webhook[]>; readonly expires: number } | undefined;

  function all(repositories: Pick<Repositories, 'webhooks'>): Promise<Webhook[]> {
    const now = options.now();
    if (cached === undefined || cached.expires <= now) {
      const webhooks = repositories.webhooks.list();
      cached = { webhooks, expires: now + ttlMs };
      // A failed read is not kept.
      webhooks.catch(() => {
        if (cached?.webhooks === webhooks) cached = undefined;
      });
    }
    return cached.webhooks;
  }

  return {
    async subscribers(repositories, type, tenantId) {
      return (await all(repositories)).filter(
        (webhook) => webhook.settings.eventsEnabled[type] === true && (webhook.settings.global || (tenantId !== undefined && webhook.settings.tenantIds.includes(tenantId))),
      );
    },
    clear() {
      cached = undefined;
    },
  };
}
