import type { Kysely, Selectable } from 'kysely';
import type { Database, SsoSessionTable } from '../schema.ts';

/** A hosted-login session (the SSO cookie names it; only the cookie value's hash is stored). */
export interface SsoSession {
  readonly id: string;
  readonly tokenHash: Buffer;
  readonly tenantId: string;
  readonly userId: string;
  readonly authenticationType: string;
  /** When the user last proved who they are (OIDC `auth_time`, in millis). */
  readonly authenticatedInstant: number;
  readonly insertInstant: number;
  readonly lastAccessInstant: number;
  /** Idle expiry: last access + the tenant's httpSessionMaxInactiveInterval. */
  readonly expirationInstant: number;
}

function toSession(row: Selectable<SsoSessionTable>): SsoSession {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    tenantId: row.tenant_id,
    userId: row.user_id,
    authenticationType: row.authentication_type,
    authenticatedInstant: row.authenticated_instant,
    insertInstant: row.insert_instant,
    lastAccessInstant: row.last_access_instant,
    expirationInstant: row.expiration_instant,
  };
}

export function createSsoSessionRepository(db: Kysely<Database>) {
  return {
    async insert(session: SsoSession): Promise<void> {
      await db
        .insertInto('sso_sessions')
        .values({
          id: session.id,
          token_hash: session.tokenHash,
          tenant_id: session.tenantId,
          user_id: session.userId,
          authentication_type: session.authenticationType,
          authenticated_instant: session.authenticatedInstant,
          insert_instant: session.insertInstant,
          last_access_instant: session.lastAccessInstant,
          expiration_instant: session.expirationInstant,
        })
        .execute();
    },

    /** The live session for a cookie value's hash (an expired one is not returned). */
    async findLive(tokenHash: Buffer, now: number): Promise<SsoSession | undefined> {
      const row = await db.selectFrom('sso_sessions').selectAll().where('token_hash', '=', tokenHash).where('expiration_instant', '>', now).executeTakeFirst();
      return row === undefined ? undefined : toSession(row);
    },

    async find(id: string): Promise<SsoSession | undefined> {
      const row = await db.selectFrom('sso_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toSession(row);
    },

    /** Slides the idle expiry. */
    async touch(id: string, now: number, expirationInstant: number): Promise<void> {
      await db.updateTable('sso_sessions').set({ last_access_instant: now, expiration_instant: expirationInstant }).where('id', '=', id).execute();
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('sso_sessions').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async deleteByUser(userId: string): Promise<void> {
      await db.deleteFrom('sso_sessions').where('user_id', '=', userId).execute();
    },
  };
}
