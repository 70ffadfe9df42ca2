import { sql, type Kysely } from 'kysely';

/**
 * Identity provider links (FusionAuth's /api/identity-provider/link) and pending links.
 * - A link is unique per (provider, upstream user id); one user may hold several links to one provider.
 * - `token_sealed` is the upstream token FusionAuth keeps in `token`, sealed for
 *   identity_provider_links/<id>/token_sealed; the pending link's for pending_identity_provider_links/<hex id>/token_sealed.
 * - A pending link's id is the SHA-256 of the pending id handed out (a bearer artifact, never stored).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table identity_provider_links (
      id uuid primary key,
      tenant_id uuid not null references tenants (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      identity_provider_id uuid not null references identity_providers (id) on delete cascade,
      identity_provider_user_id text not null,
      display_name text,
      data jsonb not null default '{}',
      token_sealed bytea,
      insert_instant bigint not null,
      last_login_instant bigint not null
    )`.execute(db);
  await sql`create unique index identity_provider_links_upstream_key on identity_provider_links (identity_provider_id, identity_provider_user_id)`.execute(db);
  await sql`create index identity_provider_links_user on identity_provider_links (user_id, identity_provider_id)`.execute(db);
  await sql`
    create table pending_identity_provider_links (
      id bytea primary key,
      tenant_id uuid not null references tenants (id) on delete cascade,
      identity_provider_id uuid not null references identity_providers (id) on delete cascade,
      identity_provider_user_id text not null,
      display_name text,
      email text,
      username text,
      token_sealed bytea,
      insert_instant bigint not null,
      expiration_instant bigint not null
    )`.execute(db);
  await sql`create index pending_identity_provider_links_expiration on pending_identity_provider_links (expiration_instant)`.execute(db);
}
