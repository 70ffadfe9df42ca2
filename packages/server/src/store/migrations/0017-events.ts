import { sql, type Kysely } from 'kysely';

/**
 * Events, webhooks and the logs (docs/events.md):
 * - `webhooks`: FusionAuth's webhook object; `settings` holds everything but the HTTP Basic password,
 *   sealed for webhooks/<id>/http_authentication_password_sealed.
 * - `events` + `webhook_deliveries` are the outbox: an event is written in the transaction of the change
 *   that caused it, with one delivery row per webhook subscribed to it. The dispatcher claims due
 *   deliveries with FOR UPDATE SKIP LOCKED and a lease, retries with backoff, and leaves `failed` rows
 *   (dead letters) for operators. Events no webhook wants are not stored.
 * - `audit_logs`: who changed what through the management API (FusionAuth's Audit Log API).
 * - `event_logs`: what operators must know that is not an API change: failed upstream calls, webhook
 *   failures, key rotations (FusionAuth's Event Log API).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table webhooks (
      id uuid primary key,
      url text not null,
      settings jsonb not null default '{}',
      http_authentication_password_sealed bytea,
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`
    create table events (
      id uuid primary key,
      type text not null,
      tenant_id uuid,
      payload jsonb not null,
      create_instant bigint not null
    )`.execute(db);
  await sql`
    create table webhook_deliveries (
      event_id uuid not null references events (id) on delete cascade,
      webhook_id uuid not null references webhooks (id) on delete cascade,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      next_attempt_instant bigint not null,
      lease_instant bigint,
      last_status integer,
      last_error text,
      delivered_instant bigint,
      primary key (event_id, webhook_id)
    )`.execute(db);
  await sql`create index webhook_deliveries_due on webhook_deliveries (next_attempt_instant) where status = 'pending'`.execute(db);
  await sql`create index webhook_deliveries_failed on webhook_deliveries (webhook_id) where status = 'failed'`.execute(db);
  await sql`
    create table audit_logs (
      id bigserial primary key,
      insert_instant bigint not null,
      insert_user text,
      message text not null,
      reason text,
      data jsonb not null default '{}'
    )`.execute(db);
  await sql`create index audit_logs_insert_instant on audit_logs (insert_instant)`.execute(db);
  await sql`
    create table event_logs (
      id bigserial primary key,
      insert_instant bigint not null,
      type text not null check (type in ('Information', 'Debug', 'Error')),
      message text not null
    )`.execute(db);
  await sql`create index event_logs_insert_instant on event_logs (insert_instant)`.execute(db);
}
