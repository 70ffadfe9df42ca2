import type { Kysely, Selectable } from 'kysely';
import type { AuthorizationCodeTable, Database } from '../schema.ts';

/** An authorization code as stored: its hash and what the token request must match. */
export interface AuthorizationCode {
  readonly codeHash: Buffer;
  readonly grantId: string;
  readonly redirectUri: string;
  readonly nonce: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: 'S256' | 'plain' | undefined;
  readonly expirationInstant: number;
  readonly consumedInstant: number | undefined;
}

export function toCode(row: Selectable<AuthorizationCodeTable>): AuthorizationCode {
  return {
    codeHash: row.code_hash,
    grantId: row.grant_id,
    redirectUri: row.redirect_uri,
    nonce: row.nonce ?? undefined,
    codeChallenge: row.code_challenge ?? undefined,
    codeChallengeMethod: (row.code_challenge_method ?? undefined) as AuthorizationCode['codeChallengeMethod'],
    expirationInstant: row.expiration_instant,
    consumedInstant: row.consumed_instant ?? undefined,
  };
}

export function codeRow(code: AuthorizationCode) {
  return {
    code_hash: code.codeHash,
    grant_id: code.grantId,
    redirect_uri: code.redirectUri,
    nonce: code.nonce ?? null,
    code_challenge: code.codeChallenge ?? null,
    code_challenge_method: code.codeChallengeMethod ?? null,
    expiration_instant: code.expirationInstant,
    consumed_instant: code.consumedInstant ?? null,
  };
}

export function createAuthorizationCodeRepository(db: Kysely<Database>) {
  return {
    async insert(code: AuthorizationCode): Promise<void> {
      await db.insertInto('authorization_codes').values(codeRow(code)).execute();
    },

    /**
     * Marks the code consumed and returns it, atomically: of two concurrent redemptions exactly one gets
     * `consumed: false`. A code already consumed comes back with `consumed: true` (a replay); an unknown
     * one as undefined.
     */
    async consume(codeHash: Buffer, instant: number): Promise<{ readonly code: AuthorizationCode; readonly replay: boolean } | undefined> {
      const fresh = await db
        .updateTable('authorization_codes')
        .set({ consumed_instant: instant })
        .where('code_hash', '=', codeHash)
        .where('consumed_instant', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (fresh !== undefined) return { code: toCode(fresh), replay: false };
      const used = await db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      return used === undefined ? undefined : { code: toCode(used), replay: true };
    },
  };
}
