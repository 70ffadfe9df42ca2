import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { toEvent, type GatehouseEvent, type GatehouseEventInput } from './event-catalogue.ts';

/** Receives every event after the request that caused it has moved on; may be async. */
export type EventListener = (event: GatehouseEvent) => void | Promise<void>;

export interface EventBus {
  /** Stamps the event with an id and its instant, schedules its delivery and returns it at once. */
  emit(input: GatehouseEventInput): GatehouseEvent;
  /** Adds a listener; the function returned removes it. */
  subscribe(listener: EventListener): () => void;
}

export interface EventBusOptions {
  readonly logger?: Logger;
  readonly now?: () => number;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * The in-process event bus: the one place events leave the code that caused them. Delivery is deferred
 * (setImmediate) so that no listener, slow or failing, adds to a request's latency or changes its outcome;
 * a listener that throws is logged by event id and type only (never the payload) and the others still
 * get the event. Events are frozen: listeners share one object and none may change what the next sees.
 * Webhook delivery (issue 8) will be one more listener.
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

  return {
    emit(input) {
      const event = deepFreeze(toEvent(input, randomUUID(), now()));
      // The listeners subscribed at emit time get it, whatever subscribes before delivery.
      if (listeners.size > 0) setImmediate(deliver, event, [...listeners]);
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
