import type { EventBus } from '../../src/events/event-bus.ts';
import type { EventType, GatehouseEvent } from '../../src/events/event-catalogue.ts';

/** The events of one type, narrowed so a test reads its fields without casts. */
export type EventOf<T extends EventType> = GatehouseEvent extends infer E ? (E extends { readonly type: infer U } ? (T extends U ? E & { readonly type: T } : never) : never) : never;

export interface RecordedEvents {
  /** Every event delivered since recording started, in order. */
  readonly list: GatehouseEvent[];
  /**
   * The first event (already recorded or still to come) of `type` that `predicate` accepts; rejects after
   * `timeoutMs`, so a missing event fails the test instead of hanging it.
   */
  waitFor<T extends EventType>(type: T, predicate?: (event: EventOf<T>) => boolean, timeoutMs?: number): Promise<EventOf<T>>;
  stop(): void;
}

interface Waiter {
  readonly matches: (event: GatehouseEvent) => boolean;
  readonly resolve: (event: GatehouseEvent) => void;
}

/** Records what an app's event bus delivers (events arrive asynchronously, after the response). */
export function recordEvents(events: EventBus): RecordedEvents {
  const list: GatehouseEvent[] = [];
  const waiters = new Set<Waiter>();
  const unsubscribe = events.subscribe((event) => {
    list.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.matches(event)) {
        waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  });

  return {
    list,
    waitFor<T extends EventType>(type: T, predicate: (event: EventOf<T>) => boolean = () => true, timeoutMs = 2000): Promise<EventOf<T>> {
      const matches = (event: GatehouseEvent): boolean => event.type === type && predicate(event as EventOf<T>);
      const recorded = list.find(matches);
      if (recorded !== undefined) return Promise.resolve(recorded as EventOf<T>);
      return new Promise<EventOf<T>>((resolve, reject) => {
        const waiter: Waiter = {
          matches,
          resolve: (event) => {
            clearTimeout(timer);
            resolve(event as EventOf<T>);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No ${type} event within ${timeoutMs} ms (recorded: ${list.map((event) => event.type).join(', ') || 'none'})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop: unsubscribe,
  };
}
