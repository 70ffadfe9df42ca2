import type { Kysely, Selectable } from 'kysely';
import type { Database, RefreshTokenTable } from '../schema.ts';

export interface RefreshTokenRecord {
  readonly id: string;
  readonly tokenHash: Buffer;
  readonly tenantId: string;
  readonly userId: string;
  readonly applicationId: string | undefined;
  /** When the grant behind this token began (kept across one-time-use rotation). */
  readonly startInstant: number;
  readonly insertInstant: number;
  readonly expirationInstant: number;
  readonly lastUsedInstant: number | undefined;
  readonly metaData: Readonly<Record<string, unknown>>;
  /** OneTimeUse: the hash of the value the last rotation replaced, when, and the key of that rotation. */
  readonly previousTokenHash?: Buffer | undefined;
  readonly rotatedInstant?: number | undefined;
  readonly rotationKey?: Buffer | undefined;
}

/** Which refresh tokens a revocation removes (FusionAuth's DELETE /api/jwt/refresh variants). */
export type RefreshTokenSelector =
  | { readonly id: string }
  | { readonly tokenHash: Buffer }
  | { readonly userId: string; readonly applicationId?: string | undefined }
  | { readonly applicationId: string };

export function toRefreshToken(row: Selectable<RefreshTokenTable>): RefreshTokenRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    tenantId: row.tenant_id,
    userId: row.user_id,
    applicationId: row.application_id ?? undefined,
    startInstant: row.start_instant,
    insertInstant: row.insert_instant,
    expirationInstant: row.expiration_instant,
    lastUsedInstant: row.last_used_instant ?? undefined,
    metaData: row.meta_data,
    ...(row.previous_token_hash === null ? {} : { previousTokenHash: row.previous_token_hash }),
    ...(row.rotated_instant === null ? {} : { rotatedInstant: row.rotated_instant }),
    ...(row.rotation_key === null ? {} : { rotationKey: row.rotation_key }),
  };
}

export function refreshTokenRow(token: RefreshTokenRecord) {
  return {
    id: token.id,
    token_hash: token.tokenHash,
    tenant_id: token.tenantId,
    user_id: token.userId,
    application_id: token.applicationId ?? null,
    start_instant: token.startInstant,
    insert_instant: token.insertInstant,
    expiration_instant: token.expirationInstant,
    last_used_instant: token.lastUsedInstant ?? null,
    meta_data: JSON.stringify(token.metaData),
  };
}

export function createRefreshTokenRepository(db: Kysely<Database>) {
  const selecting = (selector: RefreshTokenSelector) => {
    let query = db.deleteFrom('refresh_tokens');
    if ('id' in selector) return query.where('id', '=', selector.id);
    if ('tokenHash' in selector) return query.where('token_hash', '=', selector.tokenHash);
    if ('userId' in selector) {
      query = query.where('user_id', '=', selector.userId);
      return selector.applicationId === undefined ? query : query.where('application_id', '=', selector.applicationId);
    }
    return query.where('application_id', '=', selector.applicationId);
  };

  return {
    async insert(token: RefreshTokenRecord): Promise<void> {
      await db
        .insertInto('refresh_tokens')
        .values(refreshTokenRow(token))
        .execute();
    },

    async find(id: string): Promise<RefreshTokenRecord | undefined> {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRefreshToken(row);
    },

    /** Inside a transaction, locks the row: two refreshes of one token run one after the other. */
    async findByHashForUpdate(tokenHash: Buffer): Promise<RefreshTokenRecord | undefined> {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
      return row === undefined ? undefined : toRefreshToken(row);
    },

    async listByUser(userId: string): Promise<RefreshTokenRecord[]> {
      const rows = await db.selectFrom('refresh_tokens').selectAll().where('user_id', '=', userId).orderBy('insert_instant').execute();
      return rows.map(toRefreshToken);
    },

    /**
     * Like findByHashForUpdate, but also finds the token whose previous (rotated-away) value has this hash:
     * the caller tells them apart by `tokenHash`.
     */
    async findByCurrentOrPreviousHashForUpdate(tokenHash: Buffer): Promise<RefreshTokenRecord | undefined> {
      const row = await db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where((eb) => eb.or([eb('token_hash', '=', tokenHash), eb('previous_token_hash', '=', tokenHash)]))
        .forUpdate()
        .executeTakeFirst();
      return row === undefined ? undefined : toRefreshToken(row);
    },

    /** Rotation and sliding windows: a new hash, expiry or last use for the same token id. */
    async update(token: RefreshTokenRecord): Promise<void> {
      await db
        .updateTable('refresh_tokens')
        .set({
          token_hash: token.tokenHash,
          expiration_instant: token.expirationInstant,
          last_used_instant: token.lastUsedInstant ?? null,
          previous_token_hash: token.previousTokenHash ?? null,
          rotated_instant: token.rotatedInstant ?? null,
          rotation_key: token.rotationKey ?? null,
        })
        .where('id', '=', token.id)
        .execute();
    },

    /** Returns how many tokens were revoked. */
    async delete(selector: RefreshTokenSelector): Promise<number> {
      const result = await selecting(selector).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type RefreshTokenRepository = ReturnType<typeof createRefreshTokenRepository>;
