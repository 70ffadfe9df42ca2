import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, OAuthGrantTable, UserTable } from '../schema.ts';
import { codeRow, toCode, type AuthorizationCode } from './authorization-code-repository.ts';
import { grantRow, toGrant, type OAuthGrant } from './oauth-grant-repository.ts';
import { refreshTokenRow, toRefreshToken, type RefreshTokenRecord } from './refresh-token-repository.ts';
import { registrationRowsOfUser, toRegistration, type Registration } from './registration-repository.ts';
import { toUser, type User } from './user-repository.ts';

/** The grant behind a code or refresh token, and its user with their registrations, as one read returns them. */
export interface GrantHolder {
  /** Undefined for a Login API refresh token (it has no OAuth grant row). */
  readonly grant: OAuthGrant | undefined;
  /** Undefined when the user was deleted. */
  readonly user: User | undefined;
  readonly registrations: readonly Registration[];
}

export interface CodeForExchange extends GrantHolder {
  readonly code: AuthorizationCode;
}

export interface RefreshTokenForUse extends GrantHolder {
  readonly record: RefreshTokenRecord;
}

interface HolderColumns {
  readonly grant_row: Selectable<OAuthGrantTable> | null;
  readonly user_row: Selectable<UserTable> | null;
  readonly registration_rows: Selectable<Database['registrations']>[] | null;
}

function toHolder(row: HolderColumns): GrantHolder {
  return {
    grant: row.grant_row === null ? undefined : toGrant(row.grant_row),
    user: row.user_row === null ? undefined : toUser(row.user_row),
    registrations: (row.registration_rows ?? []).map(toRegistration),
  };
}

/**
 * The token endpoint's hot paths in as few statements as they can be: an authorization is issued in one
 * statement, a code is read with its grant and user in one and redeemed in one, a refresh token is read
 * with its grant and user in one. Decisions happen in between, in the grant modules; the redeeming
 * statements are conditional, so a race is seen, not lost.
 */
export function createTokenExchangeRepository(db: Kysely<Database>) {
  // The grant and the user (left-joined as `users`) of a `grant_holder` row, as JSON rows for the mappers.
  const grantColumn = sql<Selectable<OAuthGrantTable> | null>`(select to_json(g) from oauth_grants g where g.id = grant_holder.grant_id)`.as('grant_row');
  const userColumn = sql<Selectable<UserTable> | null>`case when users.id is null then null else to_json(users) end`.as('user_row');

  return {
    /** The grant and its first code, in one statement (the code row refers to the grant row inserted beside it). */
    async insertGrantWithCode(grant: OAuthGrant, code: AuthorizationCode): Promise<void> {
      await db
        .with('inserted_grant', (cte) => cte.insertInto('oauth_grants').values(grantRow(grant)).returning('id'))
        .insertInto('authorization_codes')
        .values(codeRow(code))
        .execute();
    },

    /** A code with its grant and the grant's user (and registrations), consumed or not; undefined when unknown. */
    async findCode(codeHash: Buffer): Promise<CodeForExchange | undefined> {
      const row = await db
        .with('grant_holder', (cte) => cte.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash))
        .selectFrom('grant_holder')
        .leftJoin('oauth_grants', 'oauth_grants.id', 'grant_holder.grant_id')
        .leftJoin('users', 'users.id', 'oauth_grants.user_id')
        .selectAll('grant_holder')
        .select([grantColumn, userColumn, registrationRowsOfUser])
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const { grant_row, user_row, registration_rows, ...code } = row;
      return { code: toCode(code), ...toHolder({ grant_row, user_row, registration_rows }) };
    },

    /**
     * Marks the code consumed and stores the refresh token issued from it, in one statement that only
     * acts while the code is unconsumed. False means another request redeemed it first (a replay).
     */
    async redeemCode(codeHash: Buffer, instant: number, refreshToken: RefreshTokenRecord | undefined): Promise<boolean> {
      const consumed = db.with('consumed', (cte) =>
        cte.updateTable('authorization_codes').set({ consumed_instant: instant }).where('code_hash', '=', codeHash).where('consumed_instant', 'is', null).returning('grant_id'),
      );
      if (refreshToken === undefined) {
        return (await consumed.selectFrom('consumed').select('grant_id').execute()).length > 0;
      }
      const row = refreshTokenRow(refreshToken);
      const inserted = await consumed
        .insertInto('refresh_tokens')
        .columns(['id', 'token_hash', 'tenant_id', 'user_id', 'application_id', 'start_instant', 'insert_instant', 'expiration_instant', 'last_used_instant', 'meta_data'])
        .expression((eb) =>
          eb
            .selectFrom('consumed')
            .select([
              eb.val(row.id).as('id'),
              eb.val(row.token_hash).as('token_hash'),
              eb.val(row.tenant_id).as('tenant_id'),
              eb.val(row.user_id).as('user_id'),
              eb.val(row.application_id).as('application_id'),
              eb.val(row.start_instant).as('start_instant'),
              eb.val(row.insert_instant).as('insert_instant'),
              eb.val(row.expiration_instant).as('expiration_instant'),
              eb.val(row.last_used_instant).as('last_used_instant'),
              sql`${row.meta_data}::jsonb`.as('meta_data'),
            ]),
        )
        .returning('id')
        .execute();
      return inserted.length > 0;
    },

    /**
     * A refresh token by the hash of its current or (OneTimeUse) previous value, with its grant (same id)
     * and user, unlocked: the Reusable policy needs no lock; rotation takes the locked path.
     */
    async findRefreshToken(tokenHash: Buffer): Promise<RefreshTokenForUse | undefined> {
      const row = await db
        .with('grant_holder', (cte) =>
          cte
            .selectFrom('refresh_tokens')
            .selectAll()
            .select('id as grant_id')
            .where((eb) => eb.or([eb('token_hash', '=', tokenHash), eb('previous_token_hash', '=', tokenHash)])),
        )
        .selectFrom('grant_holder')
        .leftJoin('users', 'users.id', 'grant_holder.user_id')
        .selectAll('grant_holder')
        .select([grantColumn, userColumn, registrationRowsOfUser])
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const { grant_row, user_row, registration_rows, grant_id: _grantId, ...record } = row;
      return { record: toRefreshToken(record), ...toHolder({ grant_row, user_row, registration_rows }) };
    },

    /** Slides a Reusable token's window and records its use: one unlocked update (concurrent uses write alike values). */
    async recordUse(id: string, expirationInstant: number, lastUsedInstant: number): Promise<void> {
      await db.updateTable('refresh_tokens').set({ expiration_instant: expirationInstant, last_used_instant: lastUsedInstant }).where('id', '=', id).execute();
    },
  };
}

export type TokenExchangeRepository = ReturnType<typeof createTokenExchangeRepository>;
