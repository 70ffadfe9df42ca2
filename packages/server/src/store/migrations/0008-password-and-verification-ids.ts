import { sql, type Kysely } from 'kysely';

/**
 * Password change and email verification workflows, and the one-time-use refresh grace period.
 * - `one_time_ids`: the change-password and email-verification ids handed to API callers. They are bearer
 *   artifacts, so only their SHA-256 is stored (DESIGN: security defaults); the row dies when used.
 * - `refresh_tokens` keeps the hash of the value a rotation replaced, when it was replaced, and the key
 *   the new value was derived with: within the grace period the old value still yields the current one.
 * - `users.verified_instant`: when the email was first verified.
 * - Stored tenants get the settings this feature adds, with tenant-schema.ts's defaults.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table one_time_ids (
      id bytea primary key,
      kind text not null check (kind in ('change-password', 'email-verification')),
      user_id uuid not null references users (id) on delete cascade,
      application_id uuid references applications (id) on delete set null,
      email text,
      state jsonb,
      insert_instant bigint not null,
      expiration_instant bigint not null
    )`.execute(db);
  await sql`create index one_time_ids_user_id on one_time_ids (user_id, kind)`.execute(db);

  await sql`
    alter table refresh_tokens
      add column previous_token_hash bytea,
      add column rotated_instant bigint,
      add column rotation_key bytea`.execute(db);
  await sql`create index refresh_tokens_previous_token_hash on refresh_tokens (previous_token_hash) where previous_token_hash is not null`.execute(db);

  await sql`alter table users add column verified_instant bigint`.execute(db);

  await sql`
    update tenants set data = data
      || jsonb_build_object('emailConfiguration', '{"verifyEmail": false, "implicitEmailVerificationAllowed": true}'::jsonb || coalesce(data -> 'emailConfiguration', '{}'))
      || jsonb_build_object('externalIdentifierConfiguration', '{"emailVerificationIdTimeToLiveInSeconds": 86400}'::jsonb || coalesce(data -> 'externalIdentifierConfiguration', '{}'))`.execute(db);
}
