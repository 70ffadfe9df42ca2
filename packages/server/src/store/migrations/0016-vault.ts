import { sql, type Kysely } from 'kysely';

/**
 * The hub's token vault on identity provider links (docs/hub.md):
 * - `status`: active, reauthorization_required (the upstream refused the refresh token), revoked.
 * - What the upstream's token endpoint returned besides the refresh and access tokens: the ID token
 *   (sealed for identity_provider_links/<id>/id_token_sealed) and the refresh token's expiry when the
 *   upstream says it.
 * - `version` grows with every refresh: a reader that saw version n and finds n+1 under the row lock knows
 *   another process refreshed meanwhile.
 * - `refresh_failures`/`refresh_retry_instant`: backoff after the upstream failed (5xx, timeout), shared by
 *   every node so a dead upstream is not hammered.
 * - `keep_alive_lease_instant`: the keep-alive job's lease on the row (claimed with FOR UPDATE SKIP LOCKED);
 *   `refresh_expiry_warned_instant`: the refresh-token expiry it last warned about (a new expiry re-arms it).
 * - Link search by provider, status and user pages by id (indexed for a million links).
 * - Upstream authorizations gain a purpose: `login` (sign in) or `connect` (link another upstream account
 *   to the signed-in `user_id`, the session unchanged), and where a connect returns to. A connect started
 *   from the connections page (/account/connect) belongs to no application: `application_id` may then be
 *   null and `request` is empty; every connect names its user, every login its application.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table identity_provider_links
      add column status text not null default 'active' check (status in ('active', 'reauthorization_required', 'revoked')),
      add column id_token_sealed bytea,
      add column refresh_token_expiration_instant bigint,
      add column last_refresh_instant bigint,
      add column version bigint not null default 0,
      add column refresh_failures integer not null default 0,
      add column refresh_retry_instant bigint,
      add column keep_alive_lease_instant bigint,
      add column refresh_expiry_warned_instant bigint`.execute(db);
  await sql`create index identity_provider_links_search on identity_provider_links (identity_provider_id, status, id)`.execute(db);
  await sql`create index identity_provider_links_tenant on identity_provider_links (tenant_id, id)`.execute(db);
  await sql`
    alter table upstream_authorizations
      add column purpose text not null default 'login' check (purpose in ('login', 'connect')),
      add column user_id uuid references users (id) on delete cascade,
      add column return_to text,
      alter column application_id drop not null,
      add constraint upstream_authorizations_purpose_fields check (
        (purpose = 'login' and application_id is not null and user_id is null)
        or (purpose = 'connect' and user_id is not null and (application_id is not null or return_to is not null))
      )`.execute(db);
}
