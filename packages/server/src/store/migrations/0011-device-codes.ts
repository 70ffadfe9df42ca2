import { sql, type Kysely } from 'kysely';

/**
 * The device authorization grant (RFC 8628, issue 5).
 * - `device_codes`: one row per device authorization request. The device code is a bearer artifact, so
 *   only its SHA-256 is stored; the user code is stored as typed on the device (normalized), unique so
 *   that the verification page finds exactly one request. `status` moves pending → approved | denied, and
 *   approved → redeemed when the device collects its tokens; an approval names the `oauth_grants` row the
 *   user created. `interval_seconds` grows by 5 at every slow_down and `last_polled_instant` is the poll
 *   it is measured from (RFC 8628 §3.5).
 * - Stored tenants get FusionAuth's default user code generator (6 characters, randomAlphaNumeric).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table device_codes (
      id uuid primary key,
      device_code_hash bytea not null unique,
      user_code text not null unique,
      tenant_id uuid not null references tenants (id) on delete cascade,
      application_id uuid not null references applications (id) on delete cascade,
      scope text not null,
      status text not null check (status in ('pending', 'approved', 'denied', 'redeemed')),
      grant_id uuid references oauth_grants (id) on delete cascade,
      interval_seconds integer not null,
      last_polled_instant bigint,
      insert_instant bigint not null,
      expiration_instant bigint not null,
      decided_instant bigint
    )`.execute(db);
  await sql`create index device_codes_expiration_instant on device_codes (expiration_instant)`.execute(db);

  await sql`
    update tenants set data = jsonb_set(data, '{externalIdentifierConfiguration}',
      '{"deviceUserCodeIdGenerator": {"length": 6, "type": "randomAlphaNumeric"}}'::jsonb || coalesce(data -> 'externalIdentifierConfiguration', '{}'))`.execute(db);
}
