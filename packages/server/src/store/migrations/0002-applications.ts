import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table applications (
      id uuid primary key,
      tenant_id uuid not null references tenants (id) on delete cascade,
      name text not null,
      active boolean not null default true,
      data jsonb not null default '{}',
      client_secret_sealed bytea not null,
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  // FusionAuth keeps application names unique per tenant (its applications_uk_1); case-insensitive here,
  // like tenant names, so "Portal" and "portal" cannot both appear in one login screen's app list.
  await sql`create unique index applications_name_key on applications (tenant_id, lower(name))`.execute(db);

  await sql`
    create table application_roles (
      id uuid primary key,
      application_id uuid not null references applications (id) on delete cascade,
      name text not null,
      description text,
      is_default boolean not null default false,
      is_super_role boolean not null default false,
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create unique index application_roles_name_key on application_roles (application_id, lower(name))`.execute(db);
}
