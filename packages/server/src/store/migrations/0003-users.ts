import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The profile (names, phone numbers, languages, custom `data`) lives in one JSON column: it is read and
  // written whole and never filtered on, except the names by the simple search (see user-repository.ts).
  await sql`
    create table users (
      id uuid primary key,
      tenant_id uuid not null references tenants (id) on delete cascade,
      email text,
      username text,
      password_hash text,
      password_scheme text,
      password_factor integer,
      password_salt text,
      password_change_required boolean not null default false,
      password_last_update_instant bigint,
      active boolean not null default true,
      verified boolean not null default false,
      data jsonb not null default '{}',
      expiry bigint,
      last_login_instant bigint,
      insert_instant bigint not null,
      last_update_instant bigint not null,
      check (email is not null or username is not null),
      check ((password_hash is null) = (password_scheme is null))
    )`.execute(db);

  // Login ids are unique per tenant and case-insensitive (FusionAuth); the same email may live in two tenants.
  await sql`create unique index users_email_key on users (tenant_id, lower(email)) where email is not null`.execute(db);
  await sql`create unique index users_username_key on users (tenant_id, lower(username)) where username is not null`.execute(db);
  // A global key may look a user up by email or username without naming the tenant.
  await sql`create index users_email_lookup on users (lower(email)) where email is not null`.execute(db);
  await sql`create index users_username_lookup on users (lower(username)) where username is not null`.execute(db);
  // Search pages through a tenant's users in insertion order.
  await sql`create index users_tenant_search on users (tenant_id, insert_instant, id)`.execute(db);
}
