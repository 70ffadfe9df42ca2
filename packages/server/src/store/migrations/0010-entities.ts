import { sql, type Kysely } from 'kysely';

/**
 * Entity Management (issue 5): machine identities and what they may do to each other.
 * - `entity_types` and their `entity_type_permissions` are global, as in FusionAuth. Type names are unique
 *   in any case (display names, like tenant and application names); permission names are unique per type
 *   exactly as written, because clients request them by value in `target-entity:<id>:read,write` scopes.
 * - `entities` belong to a tenant; `client_id` is unique across every tenant (the token endpoint finds an
 *   entity by it alone) and the client secret is sealed (AES-256-GCM bound to the row and column).
 * - `entity_grants` give a recipient entity or a user permissions on a target entity: one grant per pair.
 *   Permissions are names, checked against the target's type when written.
 * Deleting follows FusionAuth's own foreign keys (its entities_fk_1..3, entity_*_grants_fk_*): a type takes
 * its permissions and entities with it, an entity its grants (either side) and its child entities, a user
 * its grants.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table entity_types (
      id uuid primary key,
      name text not null,
      data jsonb not null default '{}',
      jwt_configuration jsonb not null default '{}',
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create unique index entity_types_name_key on entity_types (lower(name))`.execute(db);

  await sql`
    create table entity_type_permissions (
      id uuid primary key,
      entity_type_id uuid not null references entity_types (id) on delete cascade,
      name text not null,
      description text,
      is_default boolean not null default false,
      data jsonb not null default '{}',
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create unique index entity_type_permissions_name_key on entity_type_permissions (entity_type_id, name)`.execute(db);

  await sql`
    create table entities (
      id uuid primary key,
      tenant_id uuid not null references tenants (id) on delete cascade,
      entity_type_id uuid not null references entity_types (id) on delete cascade,
      parent_id uuid references entities (id) on delete cascade,
      name text not null,
      client_id text not null,
      client_secret_sealed bytea not null,
      data jsonb not null default '{}',
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create unique index entities_client_id_key on entities (client_id)`.execute(db);
  await sql`create index entities_tenant_id on entities (tenant_id)`.execute(db);
  await sql`create index entities_entity_type_id on entities (entity_type_id)`.execute(db);
  await sql`create index entities_parent_id on entities (parent_id)`.execute(db);

  await sql`
    create table entity_grants (
      id uuid primary key,
      target_entity_id uuid not null references entities (id) on delete cascade,
      recipient_entity_id uuid references entities (id) on delete cascade,
      user_id uuid references users (id) on delete cascade,
      permissions jsonb not null default '[]',
      data jsonb not null default '{}',
      insert_instant bigint not null,
      last_update_instant bigint not null,
      constraint entity_grants_one_recipient check ((recipient_entity_id is null) <> (user_id is null))
    )`.execute(db);
  // NULLs are distinct in a unique index: user grants never collide on the recipient key, and the reverse.
  await sql`create unique index entity_grants_recipient_key on entity_grants (target_entity_id, recipient_entity_id)`.execute(db);
  await sql`create unique index entity_grants_user_key on entity_grants (target_entity_id, user_id)`.execute(db);
  await sql`create index entity_grants_recipient_entity_id on entity_grants (recipient_entity_id)`.execute(db);
  await sql`create index entity_grants_user_id on entity_grants (user_id)`.execute(db);
}
