import { sql, type Kysely } from 'kysely';

/**
 * The authorization server's state (issue 4).
 * - `oauth_grants`: one row per authorization a user gave a client (an authorization code redeemed, a
 *   password grant). Tokens issued under it carry its id as `sid`; its refresh token has the same id, so
 *   revoking the grant (code replay, refresh-token reuse, revocation) reaches every token of the family.
 * - `authorization_codes`: bearer artifacts, only their SHA-256 is stored; a consumed code stays until it
 *   expires so a replay is recognised (and revokes its grant).
 * - `sso_sessions`: the hosted login's session; the cookie value is stored hashed.
 * - `oauth_consents`: scopes a user granted a third-party application, remembered for a while.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sso_sessions (
      id uuid primary key,
      token_hash bytea not null unique,
      tenant_id uuid not null references tenants (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      authentication_type text not null,
      authenticated_instant bigint not null,
      insert_instant bigint not null,
      last_access_instant bigint not null,
      expiration_instant bigint not null
    )`.execute(db);
  await sql`create index sso_sessions_user_id on sso_sessions (user_id)`.execute(db);

  await sql`
    create table oauth_grants (
      id uuid primary key,
      tenant_id uuid not null references tenants (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      application_id uuid not null references applications (id) on delete cascade,
      session_id uuid references sso_sessions (id) on delete set null,
      grant_type text not null,
      scope text not null,
      authentication_type text not null,
      authenticated_instant bigint not null,
      insert_instant bigint not null,
      revoked_instant bigint
    )`.execute(db);
  await sql`create index oauth_grants_user_id on oauth_grants (user_id, application_id)`.execute(db);

  await sql`
    create table authorization_codes (
      code_hash bytea primary key,
      grant_id uuid not null references oauth_grants (id) on delete cascade,
      redirect_uri text not null,
      nonce text,
      code_challenge text,
      code_challenge_method text,
      expiration_instant bigint not null,
      consumed_instant bigint
    )`.execute(db);
  await sql`create index authorization_codes_grant_id on authorization_codes (grant_id)`.execute(db);

  await sql`
    create table oauth_consents (
      user_id uuid not null references users (id) on delete cascade,
      application_id uuid not null references applications (id) on delete cascade,
      scopes jsonb not null,
      insert_instant bigint not null,
      expiration_instant bigint not null,
      primary key (user_id, application_id)
    )`.execute(db);
}
