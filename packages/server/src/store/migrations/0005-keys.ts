import { sql, type Kysely } from 'kysely';

/**
 * Key Master (/api/key): keys an administrator generates or imports live beside the keys Gatehouse
 * rotates itself.
 * - `origin` keeps them apart: only `rotation` keys sign by default and take part in rotation; `generate`
 *   and `import` keys are used where they are assigned (tenant/application jwtConfiguration).
 * - An imported public key alone is a verification-only key, so `private_sealed` becomes nullable.
 * - Names are unique (FusionAuth answers `[duplicate]key.name`), in any case, like tenant names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table signing_keys alter column private_sealed drop not null`.execute(db);
  await sql`
    alter table signing_keys
      add column origin text not null default 'rotation' check (origin in ('rotation', 'generate', 'import')),
      add column certificate text,
      add column last_update_instant bigint`.execute(db);
  await sql`update signing_keys set last_update_instant = insert_instant`.execute(db);
  await sql`alter table signing_keys alter column last_update_instant set not null`.execute(db);
  // Two rotations in one millisecond could have produced equal generated names: make them unique first.
  await sql`
    update signing_keys s set name = s.name || ' (' || s.kid || ')'
    where exists (select 1 from signing_keys o where lower(o.name) = lower(s.name) and o.id <> s.id)`.execute(db);
  await sql`create unique index signing_keys_name_key on signing_keys (lower(name))`.execute(db);
}
