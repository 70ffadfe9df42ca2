import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table instance (
      id smallint primary key default 1 check (id = 1),
      instance_id uuid not null,
      default_tenant_id uuid not null,
      setup_instant bigint not null,
      kickstart_state text not null check (kickstart_state in ('none', 'pending', 'done', 'failed')),
      key_check bytea not null
    )`.execute(db);

  await sql`
    create table tenants (
      id uuid primary key,
      name text not null,
      data jsonb not null default '{}',
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create unique index tenants_name_key on tenants (lower(name))`.execute(db);

  await sql`
    create table signing_keys (
      id uuid primary key,
      kid text not null unique,
      algorithm text not null,
      name text not null,
      public_jwk jsonb,
      private_sealed bytea not null,
      insert_instant bigint not null,
      retired_instant bigint
    )`.execute(db);

  await sql`
    create table api_keys (
      id uuid primary key,
      key_hash bytea not null unique,
      tenant_id uuid references tenants (id) on delete cascade,
      description text,
      permissions jsonb not null default '{}',
      key_manager boolean not null default false,
      expiration_instant bigint,
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
}
