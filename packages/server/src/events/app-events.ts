import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import { createEventBus, type EventBus } from './event-bus.ts';
import { createWebhookDirectory, type WebhookDirectory } from './webhook-directory.ts';

/** An app's event bus with its outbox, and the webhook directory the bus reads (cleared when webhooks change). */
export interface AppEvents {
  readonly bus: EventBus;
  readonly webhooks: WebhookDirectory;
}

export function createAppEvents(options: { readonly store: Store; readonly logger: Logger; readonly now: () => number }): AppEvents {
  const webhooks = createWebhookDirectory({ now: options.now });
  return { bus: createEventBus({ logger: options.logger, now: options.now, outbox: { store: options.store, webhooks } }), webhooks };
}
