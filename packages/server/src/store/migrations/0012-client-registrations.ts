import { sql, type Kysely } from 'kysely';

/**
 * Dynamic client registration (RFC 7591 / RFC 7592, issue 5): an application registered through
 * /oauth2/register has one row here holding the SHA-256 of its registration access token, the bearer
 * credential of its RFC 7592 management endpoint. The token itself is shown once, at registration. The row
 * goes with its application; an application without a row is not reachable through RFC 7592.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table client_registrations (
      application_id uuid primary key references applications (id) on delete cascade,
      token_hash bytea not null unique,
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
}
