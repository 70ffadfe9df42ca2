/**
 * Delivers the outbox to webhooks (docs/events.md, "Webhooks"): at least once, signed, never in the way of
 * the request that caused the event.
 *
 * - Due deliveries are claimed with FOR UPDATE SKIP LOCKED and a lease (event-outbox-repository.ts):
 *   several processes share the work, and no delivery is attempted by two at once; a process that dies
 *   mid-delivery leaves the lease to run out (the webhooks' longest timeout plus 10 s), and another takes
 *   the delivery over.
 * - Each request is a POST of `{"event": ...}` with `X-Gatehouse-Event-Id` (the event id, for receivers to
 *   drop duplicates: delivery is at least once), the webhook's headers, HTTP Basic credentials when
 *   configured, and, with `signatureConfiguration.enabled`, `X-FusionAuth-Signature-JWT`: a JWT signed
 *   with the Key Master key `signingKeyId` whose `request_body_sha256` claim is the base64 SHA-256 of the
 *   exact body (FusionAuth's scheme; verify it with the key from /.well-known/jwks.json or the HMAC secret).
 * - A 2xx answer delivers it. Anything else (status, timeout, refused connection) is retried with
 *   exponential backoff and jitter (2 s, 4 s, 8 s ... capped at 10 min) up to `maxAttempts`, then the
 *   delivery is dead-lettered (`failed`) and the event log says so.
 * - Runs every `pollMs` and right after this process publishes an event.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { KeyRing } from '../keys/key-ring.ts';
import type { SigningKeys } from '../keys/signing-keys.ts';
import { signCompactJws } from '../oauth/tokens/compact-jws.ts';
import type { ClaimedDelivery } from '../store/repositories/event-outbox-repository.ts';
import type { Webhook } from '../store/repositories/webhook-repository.ts';
import type { Store } from '../store/store.ts';
import type { EventBus } from './event-bus.ts';
import { webhookPassword } from './webhook-secrets.ts';

export interface WebhookDispatcherDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  readonly logger: Logger;
  readonly now: () => number;
  readonly maxAttempts?: number;
  readonly batchSize?: number;
  readonly pollMs?: number;
  /** The first retry's delay; each next one doubles (with ±25 % jitter), up to 10 minutes. */
  readonly retryBaseMs?: number;
}

export interface DispatchRun {
  readonly delivered: number;
  readonly retried: number;
  readonly failed: number;
}

export interface WebhookDispatcher {
  runOnce(): Promise<DispatchRun>;
  /** Polls until stopped, and runs soon after each event published on `events`. */
  start(events: EventBus): void;
  stop(): Promise<void>;
}

const retryCapMs = 600_000;
const leaseMarginMs = 10_000;

export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const maxAttempts = deps.maxAttempts ?? 8;
  const batchSize = deps.batchSize ?? 100;
  const pollMs = deps.pollMs ?? 1000;
  const retryBaseMs = deps.retryBaseMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let running: Promise<DispatchRun> | undefined;
  let again = false;
  let stopped = false;

  /** One attempt. A success is settled by the caller with the rest of its batch; a failure here, at once. */
  async function deliver(delivery: ClaimedDelivery, webhook: Webhook | undefined): Promise<{ readonly delivered: number } | 'retried' | 'failed'> {
    let httpStatus: number | undefined;
    let error: string | undefined;
    if (webhook === undefined) {
      error = 'the webhook was deleted';
    } else {
      try {
        httpStatus = await post(webhook, delivery);
        if (httpStatus >= 200 && httpStatus < 300) return { delivered: httpStatus };
        error = `the receiver answered ${httpStatus}`;
      } catch (failure) {
        error = failure instanceof Error && failure.name === 'TimeoutError' ? 'the receiver did not answer in time' : `the request failed (${failure instanceof Error ? failure.message.slice(0, 120) : 'unknown'})`;
      }
    }
    const last = delivery.attempts >= maxAttempts || webhook === undefined;
    const now = deps.now();
    await deps.store.repositories.eventOutbox.settle({
      eventId: delivery.eventId,
      webhookId: delivery.webhookId,
      status: last ? 'failed' : 'pending',
      ...(last ? {} : { nextAttemptInstant: now + retryDelayMs(delivery.attempts) }),
      httpStatus,
      error,
      instant: now,
    });
    if (last) {
      await deps.store.repositories.eventLogs.insert({
        type: 'Error',
        message: `Webhook [${delivery.webhookId}] gave up on event [${delivery.eventId}] (${delivery.event.type}) after ${delivery.attempts} attempts: ${error}.`,
        insertInstant: now,
      });
    }
    deps.logger.warn({ eventId: delivery.eventId, webhookId: delivery.webhookId, attempt: delivery.attempts, httpStatus, dead: last }, 'webhook delivery failed');
    return last ? 'failed' : 'retried';
  }

  function retryDelayMs(attempts: number): number {
    const exponential = Math.min(retryCapMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(exponential * (0.75 + 0.5 * Math.random()));
  }

  async function post(webhook: Webhook, delivery: ClaimedDelivery): Promise<number> {
    const body = JSON.stringify({ event: delivery.event.payload });
    const headers: Record<string, string> = { ...webhook.settings.headers, 'content-type': 'application/json', 'x-gatehouse-event-id': delivery.eventId };
    const password = webhookPassword(deps.keyRing, webhook);
    if (webhook.settings.httpAuthenticationUsername !== undefined) {
      headers['authorization'] = `Basic ${Buffer.from(`${webhook.settings.httpAuthenticationUsername}:${password ?? ''}`).toString('base64')}`;
    }
    const signature = webhook.settings.signatureConfiguration;
    if (signature.enabled && signature.signingKeyId !== undefined) {
      // Never another key in its place: a receiver would reject the signature, or worse, trust the wrong key.
      if ((await deps.store.repositories.signingKeys.find(signature.signingKeyId))?.privateSealed === undefined) throw new Error('the webhook\'s signing key no longer exists');
      const signer = await deps.signingKeys.signerFor(signature.signingKeyId);
      const issuedAt = Math.floor(deps.now() / 1000);
      headers['x-fusionauth-signature-jwt'] = signCompactJws(signer, { typ: 'JWT' }, { request_body_sha256: createHash('sha256').update(body).digest('base64'), iat: issuedAt, exp: issuedAt + 300 });
    }
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(webhook.settings.connectTimeout + webhook.settings.readTimeout),
    });
    await response.body?.cancel();
    return response.status;
  }

  async function runOnce(): Promise<DispatchRun> {
    const now = deps.now();
    const all = await deps.store.repositories.webhooks.list();
    // The batch's requests run side by side, each bounded by its webhook's timeouts: the claim lasts as long
    // as the slowest may take, plus a margin for signing and settling. A node that dies mid-batch holds
    // its deliveries no longer than that.
    const lease = now + Math.max(0, ...all.map((webhook) => webhook.settings.connectTimeout + webhook.settings.readTimeout)) + leaseMarginMs;
    const claimed = await deps.store.repositories.eventOutbox.claimDue(now, lease, batchSize);
    if (claimed.length === 0) return { delivered: 0, retried: 0, failed: 0 };
    const webhooks = new Map(all.map((webhook) => [webhook.id, webhook]));
    const outcomes = await Promise.all(claimed.map((delivery) => deliver(delivery, webhooks.get(delivery.webhookId))));
    // Successes in one statement: a process that dies before it only causes a redelivery (at least once).
    const delivered = claimed.flatMap((delivery, index) => {
      const outcome = outcomes[index];
      return typeof outcome === 'object' ? [{ eventId: delivery.eventId, webhookId: delivery.webhookId, httpStatus: outcome.delivered }] : [];
    });
    await deps.store.repositories.eventOutbox.settleDelivered(delivered, deps.now());
    return {
      delivered: delivered.length,
      retried: outcomes.filter((outcome) => outcome === 'retried').length,
      failed: outcomes.filter((outcome) => outcome === 'failed').length,
    };
  }

  /** One run at a time in this process; a request to run during one runs once more after it. */
  function kick(): void {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = runOnce()
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'webhook dispatch failed');
        return { delivered: 0, retried: 0, failed: 0 };
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  return {
    runOnce,
    start(events) {
      stopped = false;
      timer = setInterval(kick, pollMs);
      timer.unref();
      unsubscribe = events.subscribe(() => kick());
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      unsubscribe?.();
      await running;
    },
  };
}
