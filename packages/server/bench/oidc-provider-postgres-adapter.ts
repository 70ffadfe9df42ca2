/**
 * A PostgreSQL adapter for oidc-provider (its adapter interface: upsert, find, findByUid, findByUserCode,
 * consume, destroy, revokeByGrantId), so that the reference keeps its sessions, grants, codes and refresh
 * tokens in the same kind of store as Gatehouse: one table, one row per model instance, JSONB payload,
 * plain parameterised queries through a `pg` pool (Gatehouse's Kysely also sends unnamed statements).
 * Modelled on the adapters oidc-provider's documentation links to; bench use only.
 */
import pg from 'pg';

type Payload = Record<string, unknown>;

export interface OidcAdapter {
  upsert(id: string, payload: Payload, expiresIn: number | undefined): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

const schema = `
create table if not exists oidc_payloads (
  id text not null,
  type text not null,
  payload jsonb not null,
  grant_id text,
  user_code text,
  uid text,
  expires_at timestamptz,
  consumed_at timestamptz,
  primary key (id, type)
);
create index if not exists oidc_payloads_grant_id on oidc_payloads (grant_id);
create index if not exists oidc_payloads_uid on oidc_payloads (uid, type);
create index if not exists oidc_payloads_user_code on oidc_payloads (user_code, type);`;

const live = '(expires_at is null or expires_at > now())';

function row(result: pg.QueryResult<{ payload: Payload; consumed_at: Date | null }>): Payload | undefined {
  const found = result.rows[0];
  if (found === undefined) return undefined;
  return found.consumed_at === null ? found.payload : { ...found.payload, consumed: Math.floor(found.consumed_at.getTime() / 1_000) };
}

/** The adapter factory for `new Provider(issuer, { adapter })` and a way to close its pool. */
export async function postgresAdapter(url: string, poolSize: number): Promise<{ factory: (model: string) => OidcAdapter; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => undefined);
  await pool.query(schema);

  const factory = (type: string): OidcAdapter => ({
    async upsert(id, payload, expiresIn) {
      const expiresAt = expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1_000);
      await pool.query(
        `insert into oidc_payloads (id, type, payload, grant_id, user_code, uid, expires_at) values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (id, type) do update set payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
           uid = excluded.uid, expires_at = excluded.expires_at`,
        [id, type, payload, payload['grantId'] ?? null, payload['userCode'] ?? null, payload['uid'] ?? null, expiresAt],
      );
    },
    async find(id) {
      return row(await pool.query(`select payload, consumed_at from oidc_payloads where id = $1 and type = $2 and ${live}`, [id, type]));
    },
    async findByUid(uid) {
      return row(await pool.query(`select payload, consumed_at from oidc_payloads where uid = $1 and type = $2 and ${live}`, [uid, type]));
    },
    async findByUserCode(userCode) {
      return row(await pool.query(`select payload, consumed_at from oidc_payloads where user_code = $1 and type = $2 and ${live}`, [userCode, type]));
    },
    async consume(id) {
      await pool.query('update oidc_payloads set consumed_at = now() where id = $1 and type = $2', [id, type]);
    },
    async destroy(id) {
      await pool.query('delete from oidc_payloads where id = $1 and type = $2', [id, type]);
    },
    async revokeByGrantId(grantId) {
      await pool.query('delete from oidc_payloads where grant_id = $1', [grantId]);
    },
  });
  return { factory, close: () => pool.end() };
}
