import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../schema.ts';
import type { DeliveryStatus, EventTable } from '../schema-events.ts';

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

    /** Records many successful deliveries in one statement (a dispatcher's batch) and releases their leases. */
    async settleDelivered(deliveries: readonly { readonly eventId: string; readonly webhookId: string; readonly httpStatus: number }[], instant: number): Promise<void> {
      if (deliveries.length === 0) return;
      const values = sql.join(deliveries.map((delivery) => sql`(${delivery.eventId}::uuid, ${delivery.webhookId}::uuid, ${delivery.httpStatus}::integer)`));
      await sql`update webhook_deliveries as d
        set status = 'delivered', lease_instant = null, last_status = v.status, last_error = null, delivered_instant = ${instant}
        from (values ${values}) as v (event_id, webhook_id, status)
        where d.event_id = v.event_id and d.webhook_id = v.webhook_id`.execute(db);
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

    /** One event with its deliveries (the webhook event log), or undefined. */
    async findWithDeliveries(eventId: string): Promise<EventWithDeliveries | undefined> {
      const event = await db.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirst();
      if (event === undefined) return undefined;
      return (await withDeliveries([event]))[0];
    },

    /**
     * Events newest first, filtered as the webhook event log search asks: `result` is derived from the
     * deliveries (Failed: one is dead-lettered; Succeeded: none is pending or failed; Running: otherwise).
     * `text` is an ILIKE pattern over the payload's JSON text. Uses the primary keys of both tables; the
     * instant range and text filters scan the events (the outbox keeps only events some webhook wanted).
     */
    async searchWithDeliveries(criteria: OutboxSearch): Promise<{ events: EventWithDeliveries[]; total: number }> {
      let query = db.selectFrom('events as e');
      if (criteria.type !== undefined) query = query.where('e.type', '=', criteria.type);
      if (criteria.start !== undefined) query = query.where('e.create_instant', '>=', criteria.start);
      if (criteria.end !== undefined) query = query.where('e.create_instant', '<=', criteria.end);
      if (criteria.text !== undefined) query = query.where(sql<boolean>`e.payload::text ilike ${criteria.text}`);
      // Whether some delivery of the event has (or, negated, has not) `status`.
      const some = (status: DeliveryStatus, negate = false) => sql<boolean>`exists (select 1 from webhook_deliveries d where d.event_id = e.id and d.status ${sql.raw(negate ? '<>' : '=')} ${status})`;
      if (criteria.result === 'Failed') query = query.where(some('failed'));
      if (criteria.result === 'Succeeded') query = query.where(sql<boolean>`not ${some('delivered', true)}`);
      if (criteria.result === 'Running') query = query.where(sql<boolean>`not ${some('failed')} and ${some('pending')}`);
      const { total } = await query.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
      const rows = await query.selectAll('e').orderBy('e.create_instant', 'desc').orderBy('e.id', 'desc').offset(criteria.startRow).limit(criteria.numberOfResults).execute();
      return { events: await withDeliveries(rows), total: Number(total) };
    },
  };

  async function withDeliveries(rows: readonly Selectable<EventTable>[]): Promise<EventWithDeliveries[]> {
    if (rows.length === 0) return [];
    const deliveries = await db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('event_id', 'in', rows.map((row) => row.id))
      .orderBy('webhook_id')
      .execute();
    return rows.map((row) => ({
      event: { id: row.id, type: row.type, tenantId: row.tenant_id ?? undefined, payload: row.payload, createInstant: Number(row.create_instant) },
      deliveries: deliveries
        .filter((delivery) => delivery.event_id === row.id)
        .map((delivery) => ({
          webhookId: delivery.webhook_id,
          status: delivery.status,
          attempts: Number(delivery.attempts),
          nextAttemptInstant: Number(delivery.next_attempt_instant),
          lastStatus: delivery.last_status ?? undefined,
          lastError: delivery.last_error ?? undefined,
          deliveredInstant: delivery.delivered_instant === null ? undefined : Number(delivery.delivered_instant),
        })),
    }));
  }
}

/** One delivery as the webhook event log shows it. */
export interface DeliveryState {
  readonly webhookId: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptInstant: number;
  readonly lastStatus: number | undefined;
  readonly lastError: string | undefined;
  readonly deliveredInstant: number | undefined;
}

export interface EventWithDeliveries {
  readonly event: StoredEvent;
  readonly deliveries: readonly DeliveryState[];
}

export interface OutboxSearch {
  readonly type?: string;
  readonly result?: 'Failed' | 'Running' | 'Succeeded';
  readonly start?: number;
  readonly end?: number;
  /** An ILIKE pattern (already escaped) over the payload's JSON text. */
  readonly text?: string;
  readonly startRow: number;
  readonly numberOfResults: number;
}

export type EventOutboxRepository = ReturnType<typeof createEventOutboxRepository>;
