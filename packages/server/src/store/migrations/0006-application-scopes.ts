import { sql, type Kysely } from 'kysely';

/**
 * Custom OAuth scopes of an application (FusionAuth's ApplicationOAuthScope), beside its roles. Names are
 * unique per application exactly as written: OAuth scope values are case-sensitive (RFC 6749 §3.3), so the
 * provider matches a requested scope to one row by plain equality.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table application_scopes (
      id uuid primary key,
      application_id uuid not null references applications (id) on delete cascade,
      name text not null,
      description text,
      default_consent_message text,
      default_consent_detail text,
      required boolean not null default false,
      data jsonb not null default '{}',
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create unique index application_scopes_name_key on application_scopes (application_id, name)`.execute(db);
}
