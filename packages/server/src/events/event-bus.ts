import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Repositories } from '../store/repositories/index.ts';
import type { Store } from '../store/store.ts';
import { toEvent, type GatehouseEvent, type GatehouseEventInput } from './event-catalogue.ts';
import type { WebhookDirectory } from './webhook-directory.ts';

/** Receives every event after the request that caused it has moved on; may be async. */
export type EventListener = (event: GatehouseEvent) => void | Promise<void>;

export interface EventBus {
  /**
   * Inside the transaction of the change that caused the event: stamps it with an id and its instant and
   * writes it to the outbox (`repositories`, the caller's transaction) for every webhook that wants it,
   * so it is delivered if and only if the change commits. Publish it once the transaction committed.
   */
  stage(repositories: Repositories, input: GatehouseEventInput): Promise<GatehouseEvent>;
  /** After the commit: this process's listeners hear the event (deferred; a dispatcher is one of them). */
  publish(event: GatehouseEvent): void;
  /**
   * For a change already committed, or an event that is itself the news (a failed login): stages it in a
   * transaction of its own, then publishes it. Never throws: an event that could not be stored is logged.
   */
  emit(input: GatehouseEventInput): Promise<GatehouseEvent>;
  /** Adds a listener; the function returned removes it. */
  subscribe(listener: EventListener): () => void;
}

export interface EventBusOptions {
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Where events for webhooks are written; without it (unit tests) events only reach listeners. */
  readonly outbox?: { readonly store: Store; readonly webhooks: WebhookDirectory };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * The one place events leave the code that caused them. Webhooks get them through the outbox
 * (events/webhook-dispatcher.ts), at least once; listeners in this process get them after the commit,
 * deferred (setImmediate) so that no listener, slow or failing, adds to a request's latency or changes its
 * outcome. A listener that throws is logged by event id and type only (never the payload). Events are
 * frozen: listeners share one object and none may change what the next sees.
 */
export function createEventBus(options: EventBusOptions = {}): EventBus {
  const now = options.now ?? Date.now;
  const listeners = new Set<EventListener>();

  function reportFailure(event: GatehouseEvent, error: unknown): void {
    options.logger?.error({ err: error, eventId: event.id, eventType: event.type }, 'event listener failed');
  }

  function deliver(event: GatehouseEvent, targets: readonly EventListener[]): void {
    for (const listener of targets) {
      try {
        const pending = listener(event);
        if (pending !== undefined) pending.catch((error: unknown) => reportFailure(event, error));
      } catch (error) {
        reportFailure(event, error);
      }
    }
  }

  const stamp = (input: GatehouseEventInput): GatehouseEvent => deepFreeze(toEvent(input, randomUUID(), now()));

  async function stage(repositories: Repositories, input: GatehouseEventInput): Promise<GatehouseEvent> {
    const event = stamp(input);
    if (options.outbox === undefined) return event;
    const webhooks = await options.outbox.webhooks.subscribers(repositories, event.type, event.tenantId);
    if (webhooks.length > 0) {
      await repositories.eventOutbox.insert(
        { id: event.id, type: event.type, tenantId: event.tenantId, payload: event as unknown as Record<string, unknown>, createInstant: event.createInstant },
        webhooks.map((webhook) => webhook.id),
        now(),
      );
    }
    return event;
  }

  function publish(event: GatehouseEvent): void {
    // The listeners subscribed at publish time get it, whatever subscribes before delivery.
    if (listeners.size > 0) setImmediate(deliver, event, [...listeners]);
  }

  return {
    stage,
    publish,
    async emit(input) {
      const outbox = options.outbox;
      let event: GatehouseEvent;
      try {
        // Most events have no webhook: asked first, outside any transaction, so they cost no write.
        const wanted = outbox !== undefined && (await outbox.webhooks.subscribers(outbox.store.repositories, input.type, input.tenantId)).length > 0;
        event = wanted ? await outbox.store.transaction((repositories) => stage(repositories, input)) : stamp(input);
      } catch (error) {
        event = stamp(input);
        options.logger?.error({ err: error, eventId: event.id, eventType: event.type }, 'event could not be stored for webhooks');
      }
      publish(event);
      return event;
    },
    subscribe(listener) {
      // A wrapper, so that subscribing the same function twice gives two independent subscriptions.
      const subscription: EventListener = (event) => listener(event);
      listeners.add(subscription);
      return () => {
        listeners.delete(subscription);
      };
    },
  };
}
