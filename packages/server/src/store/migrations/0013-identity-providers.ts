import { sql, type Kysely } from 'kysely';

/**
 * Identity providers (FusionAuth's /api/identity-provider): global, like FusionAuth's without a tenantId.
 * - `data` holds the type's settings as identity-provider-schema.ts validates them, without the client
 *   secret, which is sealed for identity_providers/<id>/client_secret_sealed (null for a public client).
 * - Names are unique in any case, as FusionAuth's `[duplicate]identityProvider.name`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table identity_providers (
      id uuid primary key,
      type text not null,
      name text not null,
      enabled boolean not null,
      data jsonb not null default '{}',
      client_secret_sealed bytea,
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create unique index identity_providers_name_key on identity_providers (lower(name))`.execute(db);
  await sql`create index identity_providers_type on identity_providers (type)`.execute(db);
}
