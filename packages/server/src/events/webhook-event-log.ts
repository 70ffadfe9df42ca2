/**
 * FusionAuth's Webhook Event Log (1.53+), read from the outbox: one entry per stored event with the state
 * of its delivery to each webhook, so that operators see dead letters. Gatehouse keeps one row per
 * (event, webhook) rather than one per attempt, so `attempts` lists deliveries with their counters.
 */
import { FieldErrors } from '../errors/api-error.ts';
import type { EventWithDeliveries, OutboxSearch } from '../store/repositories/event-outbox-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { createValidator } from '../validation/validator.ts';
import { eventTypes } from './event-catalogue.ts';

export const eventResults = ['Failed', 'Running', 'Succeeded'] as const;
export type EventResult = (typeof eventResults)[number];

const criteriaSchema = {
  type: 'object',
  properties: {
    event: { type: 'string', maxLength: 1024 },
    eventType: { type: 'string', maxLength: 128 },
    eventResult: { type: 'string', maxLength: 32 },
    start: { type: 'integer', minimum: 0 },
    end: { type: 'integer', minimum: 0 },
    startRow: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 },
    numberOfResults: { type: 'integer', minimum: 1, maximum: 500, default: 25 },
  },
} as const;

interface Criteria {
  readonly event?: string;
  readonly eventType?: string;
  readonly eventResult?: string;
  readonly start?: number;
  readonly end?: number;
  readonly startRow: number;
  readonly numberOfResults: number;
}

const validateCriteria = createValidator<Criteria>(criteriaSchema, 'search');

/** FusionAuth's wildcard text (`*` any run) as an ILIKE pattern matching anywhere; `%`, `_` and `\` are literal. */
function likePattern(text: string): string {
  const escaped = text.trim().replace(/[\\%_]/g, (character) => `\\${character}`).replace(/\*/g, '%');
  return `%${escaped}%`;
}

/** Failed when a delivery is dead-lettered, Succeeded when every one was delivered, Running otherwise. */
function resultOf(entry: EventWithDeliveries): EventResult {
  if (entry.deliveries.some((delivery) => delivery.status === 'failed')) return 'Failed';
  return entry.deliveries.every((delivery) => delivery.status === 'delivered') ? 'Succeeded' : 'Running';
}

/** One entry as the API returns it (`webhookEventLog`). */
export function webhookEventLogView(entry: EventWithDeliveries): Record<string, unknown> {
  const delivered = entry.deliveries.filter((delivery) => delivery.deliveredInstant !== undefined);
  const lastAttemptInstant = Math.max(...delivered.map((delivery) => delivery.deliveredInstant ?? 0));
  return {
    id: entry.event.id,
    eventType: entry.event.type,
    event: entry.event.payload,
    eventResult: resultOf(entry),
    attempts: entry.deliveries.map((delivery) => ({
      webhookId: delivery.webhookId,
      status: delivery.status,
      attempts: delivery.attempts,
      ...(delivery.lastStatus === undefined ? {} : { lastStatus: delivery.lastStatus }),
      ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }),
      ...(delivery.deliveredInstant === undefined ? {} : { deliveredInstant: delivery.deliveredInstant }),
      ...(delivery.status === 'pending' ? { nextAttemptInstant: delivery.nextAttemptInstant } : {}),
    })),
    failedAttempts: entry.deliveries.reduce((sum, delivery) => sum + delivery.attempts - (delivery.status === 'delivered' ? 1 : 0), 0),
    successfulAttempts: delivered.length,
    insertInstant: entry.event.createInstant,
    // Only delivery instants are recorded; an event never delivered anywhere has none.
    ...(delivered.length === 0 ? {} : { lastAttemptInstant }),
  };
}

/**
 * POST|GET /api/system/webhook-event-log/search: `event` (text in the payload, `*` a wildcard), `eventType`
 * (a catalogue type), `eventResult`, `start`/`end` (the event's instant, inclusive), newest first.
 */
export async function searchWebhookEventLog(repositories: Pick<Repositories, 'eventOutbox'>, input: unknown): Promise<{ entries: EventWithDeliveries[]; total: number }> {
  const criteria = validateCriteria(input);
  const errors = new FieldErrors();
  if (criteria.eventType !== undefined && !(eventTypes as readonly string[]).includes(criteria.eventType)) {
    errors.add('search.eventType', 'invalid', `Unknown event type [${criteria.eventType}]; see docs/events.md.`);
  }
  if (criteria.eventResult !== undefined && !(eventResults as readonly string[]).includes(criteria.eventResult)) {
    errors.add('search.eventResult', 'invalid', `eventResult must be one of ${eventResults.join(', ')}.`);
  }
  if (criteria.start !== undefined && criteria.end !== undefined && criteria.start > criteria.end) errors.add('search.end', 'invalid', 'end must not be before start.');
  errors.throwIfAny();
  const search: OutboxSearch = {
    ...(criteria.eventType === undefined ? {} : { type: criteria.eventType }),
    ...(criteria.eventResult === undefined ? {} : { result: criteria.eventResult as EventResult }),
    ...(criteria.start === undefined ? {} : { start: criteria.start }),
    ...(criteria.end === undefined ? {} : { end: criteria.end }),
    ...(criteria.event === undefined || criteria.event.trim() === '' ? {} : { text: likePattern(criteria.event) }),
    startRow: criteria.startRow,
    numberOfResults: criteria.numberOfResults,
  };
  const { events, total } = await repositories.eventOutbox.searchWithDeliveries(search);
  return { entries: events, total };
}
