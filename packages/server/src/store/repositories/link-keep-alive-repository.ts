import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { toLink, type IdentityProviderLink } from './identity-provider-link-repository.ts';

/**
 * The keep-alive job's claims on links (vault/keep-alive-job.ts). A claim is a lease written on the row:
 * rows are picked with FOR UPDATE SKIP LOCKED, so nodes running the job at once never take the same link,
 * and a node that dies mid-job only holds its links until the lease runs out.
 */
export function createLinkKeepAliveRepository(db: Kysely<Database>) {
  return {
    /**
     * Active links with a refresh token that have been idle for half their provider's
     * `refreshTokenIdleTimeoutInSeconds` (counted from the last refresh, else the last sign-in), leased
     * until `leaseUntil`.
     */
    async claimIdle(now: number, leaseUntil: number, limit: number): Promise<IdentityProviderLink[]> {
      const due = db
        .selectFrom('identity_provider_links as l')
        .innerJoin('identity_providers as p', 'p.id', 'l.identity_provider_id')
        .select('l.id')
        .where('l.status', '=', 'active')
        .where('l.token_sealed', 'is not', null)
        .where((eb) => eb.or([eb('l.keep_alive_lease_instant', 'is', null), eb('l.keep_alive_lease_instant', '<', now)]))
        .where(sql<boolean>`coalesce(l.last_refresh_instant, l.last_login_instant) + (p.data->>'refreshTokenIdleTimeoutInSeconds')::bigint * 500 < ${now}`)
        .orderBy('l.id')
        .limit(limit)
        .forUpdate('l')
        .skipLocked();
      const rows = await db.updateTable('identity_provider_links').set({ keep_alive_lease_instant: leaseUntil }).where('id', 'in', due).returningAll().execute();
      return rows.map(toLink);
    },

    /**
     * Active links whose refresh token's known expiry falls before `horizon` and was not warned about yet;
     * marked with the expiry warned about, so a new refresh token (a new expiry) is warned about again.
     */
    async claimExpiring(horizon: number, limit: number): Promise<IdentityProviderLink[]> {
      const due = db
        .selectFrom('identity_provider_links')
        .select('id')
        .where('status', '=', 'active')
        .where('refresh_token_expiration_instant', 'is not', null)
        .where('refresh_token_expiration_instant', '<', horizon)
        .where((eb) => eb.or([eb('refresh_expiry_warned_instant', 'is', null), eb('refresh_expiry_warned_instant', '<>', eb.ref('refresh_token_expiration_instant'))]))
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked();
      const rows = await db.updateTable('identity_provider_links').set((eb) => ({ refresh_expiry_warned_instant: eb.ref('refresh_token_expiration_instant') })).where('id', 'in', due).returningAll().execute();
      return rows.map(toLink);
    },
  };
}

export type LinkKeepAliveRepository = ReturnType<typeof createLinkKeepAliveRepository>;
