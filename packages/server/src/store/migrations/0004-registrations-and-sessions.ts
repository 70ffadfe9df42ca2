import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table registrations (
      id uuid primary key,
      user_id uuid not null references users (id) on delete cascade,
      application_id uuid not null references applications (id) on delete cascade,
      roles jsonb not null default '[]',
      username text,
      data jsonb not null default '{}',
      verified boolean not null default true,
      last_login_instant bigint,
      insert_instant bigint not null,
      last_update_instant bigint not null,
      unique (user_id, application_id)
    )`.execute(db);
  await sql`create index registrations_application_id on registrations (application_id)`.execute(db);

  // Refresh tokens are bearer artifacts: only their SHA-256 is stored (DESIGN: security defaults).
  await sql`
    create table refresh_tokens (
      id uuid primary key,
      token_hash bytea not null unique,
      tenant_id uuid not null references tenants (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      application_id uuid references applications (id) on delete cascade,
      start_instant bigint not null,
      insert_instant bigint not null,
      expiration_instant bigint not null,
      last_used_instant bigint,
      meta_data jsonb not null default '{}'
    )`.execute(db);
  await sql`create index refresh_tokens_user_id on refresh_tokens (user_id)`.execute(db);
  await sql`create index refresh_tokens_application_id on refresh_tokens (application_id)`.execute(db);

  // Failed logins per user for the tenant's lockout policy (failedAuthenticationConfiguration).
  await sql`
    create table login_failures (
      user_id uuid primary key references users (id) on delete cascade,
      failure_count integer not null,
      window_start_instant bigint not null,
      locked_until_instant bigint
    )`.execute(db);
}
