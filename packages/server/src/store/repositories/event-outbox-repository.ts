import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { DeliveryStatus } from '../schema-events.ts';

/** An event as the outbox keeps it: the payload webhooks receive inside `{"event": ...}`. */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string | undefined;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createInstant: number;
}

/** One event's delivery to one webhook, claimed by a dispatcher. */
export interface ClaimedDelivery {
  readonly eventId: string;
  readonly webhookId: string;
  /** Including the one about to be made. */
  readonly attempts: number;
  readonly event: StoredEvent;
}

export interface DeliveryOutcome {
  readonly eventId: string;
  readonly webhookId: string;
  readonly status: DeliveryStatus;
  /** For `pending`: when to try again. */
  readonly nextAttemptInstant?: number;
  readonly httpStatus: number | undefined;
  readonly error: string | undefined;
  readonly instant: number;
}

/**
 * The outbox (migration 0017): events written with the change that caused them, one delivery row per
 * subscribed webhook, claimed by dispatchers with FOR UPDATE SKIP LOCKED so that several processes share
 * the work and no delivery is attempted by two at once.
 */
export function createEventOutboxRepository(db: Kysely<Database>) {
  return {
    async insert(event: StoredEvent, webhookIds: readonly string[], now: number): Promise<void> {
      await db
        .insertInto('events')
        .values({ id: event.id, type: event.type, tenant_id: event.tenantId ?? null, payload: JSON.stringify(event.payload), create_instant: event.createInstant })
        .execute();
      await db
        .insertInto('webhook_deliveries')
        .values(webhookIds.map((webhookId) => ({ event_id: event.id, webhook_id: webhookId, next_attempt_instant: now, lease_instant: null, last_status: null, last_error: null, delivered_instant: null })))
        .execute();
    },

    /** Due pending deliveries, leased until `leaseUntil` and counted as one more attempt. */
    async claimDue(now: number, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]> {
      const due = db
        .selectFrom('webhook_deliveries')
        .select(['event_id', 'webhook_id'])
        .where('status', '=', 'pending')
        .where('next_attempt_instant', '<=', now)
        .where((eb) => eb.or([eb('lease_instant', 'is', null), eb('lease_instant', '<', now)]))
        .orderBy('next_attempt_instant')
        .limit(limit)
        .forUpdate()
        .skipLocked();
      const claimed = await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ lease_instant: leaseUntil, attempts: eb('attempts', '+', 1) }))
        .where(sql<boolean>`(event_id, webhook_id) in (${due})`)
        .returning(['event_id', 'webhook_id', 'attempts'])
        .execute();
      if (claimed.length === 0) return [];
      const events = await db
        .selectFrom('events')
        .selectAll()
        .where('id', 'in', [...new Set(claimed.map((row) => row.event_id))])
        .execute();
      const byId = new Map(events.map((row) => [row.id, row]));
      return claimed.flatMap((row) => {
        const event = byId.get(row.event_id);
        if (event === undefined) return [];
        return [
          {
            eventId: row.event_id,
            webhookId: row.webhook_id,
            attempts: Number(row.attempts),
            event: { id: event.id, type: event.type, tenantId: event.tenant_id ?? undefined, payload: event.payload, createInstant: Number(event.create_instant) },
          },
        ];
      });
    },

    /** Records an attempt's outcome and releases the lease. */
    async settle(outcome: DeliveryOutcome): Promise<void> {
      await db
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.status,
          lease_instant: null,
          last_status: outcome.httpStatus ?? null,
          last_error: outcome.error ?? null,
          ...(outcome.status === 'delivered' ? { delivered_instant: outcome.instant } : {}),
          ...(outcome.nextAttemptInstant === undefined ? {} : { next_attempt_instant: outcome.nextAttemptInstant }),
        })
        .where('event_id', '=', outcome.eventId)
        .where('webhook_id', '=', outcome.webhookId)
        .execute();
    },
  };
}

export type EventOutboxRepository = ReturnType<typeof createEventOutboxRepository>;
