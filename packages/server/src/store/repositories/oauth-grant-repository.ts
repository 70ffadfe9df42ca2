import type { Kysely, Selectable } from 'kysely';
import type { Database, OAuthGrantTable } from '../schema.ts';

/**
 * One authorization a user gave a client: the family every token issued under it belongs to. Its id is
 * the tokens' `sid` and the id of its refresh token (if any), so revoking it reaches them all.
 */
export interface OAuthGrant {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly applicationId: string;
  /** The SSO session the user authorized it in; undefined for the password grant. */
  readonly sessionId: string | undefined;
  /** The grant type that created it: authorization_code, implicit, password. */
  readonly grantType: string;
  /** Granted scopes, in request order. */
  readonly scopes: readonly string[];
  readonly authenticationType: string;
  /** Millis of the authentication behind it (OIDC `auth_time`, unchanged by refreshes). */
  readonly authenticatedInstant: number;
  readonly insertInstant: number;
  readonly revokedInstant: number | undefined;
}

export function toGrant(row: Selectable<OAuthGrantTable>): OAuthGrant {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    applicationId: row.application_id,
    sessionId: row.session_id ?? undefined,
    grantType: row.grant_type,
    scopes: row.scope === '' ? [] : row.scope.split(' '),
    authenticationType: row.authentication_type,
    authenticatedInstant: row.authenticated_instant,
    insertInstant: row.insert_instant,
    revokedInstant: row.revoked_instant ?? undefined,
  };
}

export function grantRow(grant: OAuthGrant) {
  return {
    id: grant.id,
    tenant_id: grant.tenantId,
    user_id: grant.userId,
    application_id: grant.applicationId,
    session_id: grant.sessionId ?? null,
    grant_type: grant.grantType,
    scope: grant.scopes.join(' '),
    authentication_type: grant.authenticationType,
    authenticated_instant: grant.authenticatedInstant,
    insert_instant: grant.insertInstant,
    revoked_instant: grant.revokedInstant ?? null,
  };
}

export function createOAuthGrantRepository(db: Kysely<Database>) {
  return {
    async insert(grant: OAuthGrant): Promise<void> {
      await db.insertInto('oauth_grants').values(grantRow(grant)).execute();
    },

    async find(id: string): Promise<OAuthGrant | undefined> {
      const row = await db.selectFrom('oauth_grants').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toGrant(row);
    },

    /**
     * Revokes the grant and deletes its refresh token (same id) in one statement: every token of the
     * family stops working. Returns whether a live grant was revoked.
     */
    async revoke(id: string, instant: number): Promise<boolean> {
      const result = await db
        .with('refresh_token_deleted', (cte) => cte.deleteFrom('refresh_tokens').where('id', '=', id).returning('id'))
        .updateTable('oauth_grants')
        .set({ revoked_instant: instant })
        .where('id', '=', id)
        .where('revoked_instant', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
export type OAuthGrantRepository = ReturnType<typeof createOAuthGrantRepository>;
