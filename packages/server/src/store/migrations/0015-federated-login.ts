import { sql, type Kysely } from 'kysely';

/**
 * Federated login (docs/federation.md):
 * - `upstream_authorizations`: one row per authorization request sent to an upstream provider (security
 *   checklist BRK-01/BRK-05), keyed by the SHA-256 of its `state`, bound to the browser by the SHA-256 of
 *   a cookie, single use (deleted when the callback consumes it) and short-lived. The PKCE verifier is
 *   sealed for upstream_authorizations/<hex id>/code_verifier_sealed; `request` is the Gatehouse
 *   authorization request to resume once the upstream answers.
 * - Links keep what the upstream's token endpoint returned besides the refresh token (`token_sealed`):
 *   the access token (sealed for identity_provider_links/<id>/access_token_sealed), its expiry and the
 *   granted scopes.
 * - Users linked anonymously (LinkAnonymously) have neither email nor username, as in FusionAuth: the
 *   check requiring one of them goes (the API still requires one when it creates a user).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table upstream_authorizations (
      id bytea primary key,
      tenant_id uuid not null references tenants (id) on delete cascade,
      identity_provider_id uuid not null references identity_providers (id) on delete cascade,
      application_id uuid not null references applications (id) on delete cascade,
      browser_binding bytea not null,
      nonce text not null,
      code_verifier_sealed bytea not null,
      redirect_uri text not null,
      request jsonb not null,
      insert_instant bigint not null,
      expiration_instant bigint not null
    )`.execute(db);
  await sql`create index upstream_authorizations_expiration on upstream_authorizations (expiration_instant)`.execute(db);
  await sql`
    alter table identity_provider_links
      add column access_token_sealed bytea,
      add column access_token_expiration_instant bigint,
      add column scopes text`.execute(db);
  await sql`alter table users drop constraint users_check`.execute(db);
}
