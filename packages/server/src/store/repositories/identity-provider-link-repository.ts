import type { Kysely, Selectable } from 'kysely';
import type { Database, IdentityProviderLinkTable, PendingIdentityProviderLinkTable } from '../schema.ts';
import type { LinkStatus } from '../schema-federation.ts';
import { rethrowDuplicate } from '../store-errors.ts';

/** A link between a local user and an upstream account, its token still sealed. */
export interface IdentityProviderLink {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly identityProviderId: string;
  readonly identityProviderUserId: string;
  readonly displayName: string | undefined;
  readonly data: Readonly<Record<string, unknown>>;
  /** The upstream refresh token (FusionAuth's `token`). */
  readonly tokenSealed: Buffer | undefined;
  readonly insertInstant: number;
  readonly lastLoginInstant: number;
  readonly accessTokenSealed: Buffer | undefined;
  readonly accessTokenExpirationInstant: number | undefined;
  /** The scopes the upstream granted, space-separated. */
  readonly scopes: string | undefined;
  readonly status: LinkStatus;
  readonly idTokenSealed: Buffer | undefined;
  /** When the upstream said its refresh token expires (refresh_expires_in / refresh_token_expires_in). */
  readonly refreshTokenExpirationInstant: number | undefined;
  readonly lastRefreshInstant: number | undefined;
  /** Grows with every write of the tokens (compare-and-swap for the refresh engine). */
  readonly version: number;
  /** Consecutive failed refreshes (upstream 5xx, timeout) and when the next one may be tried. */
  readonly refreshFailures: number;
  readonly refreshRetryInstant: number | undefined;
}

/** The vault state of a link that was just made: active, never refreshed. */
export const newLinkVaultState = {
  status: 'active',
  idTokenSealed: undefined,
  refreshTokenExpirationInstant: undefined,
  lastRefreshInstant: undefined,
  version: 0,
  refreshFailures: 0,
  refreshRetryInstant: undefined,
} as const satisfies Partial<IdentityProviderLink>;

/** What a link search narrows by; every member optional, all given ones must match. */
export interface IdentityProviderLinkFilter {
  readonly identityProviderId?: string;
  readonly status?: LinkStatus;
  readonly userId?: string;
  readonly tenantId?: string;
}

/** An upstream identity that logged in without a link, waiting to be linked to a user. */
export interface PendingIdentityProviderLink {
  /** SHA-256 of the pending id handed out. */
  readonly idHash: Buffer;
  readonly tenantId: string;
  readonly identityProviderId: string;
  readonly identityProviderUserId: string;
  readonly displayName: string | undefined;
  readonly email: string | undefined;
  readonly username: string | undefined;
  readonly tokenSealed: Buffer | undefined;
  readonly insertInstant: number;
  readonly expirationInstant: number;
}

export function toLink(row: Selectable<IdentityProviderLinkTable>): IdentityProviderLink {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    identityProviderId: row.identity_provider_id,
    identityProviderUserId: row.identity_provider_user_id,
    displayName: row.display_name ?? undefined,
    data: row.data,
    tokenSealed: row.token_sealed ?? undefined,
    insertInstant: Number(row.insert_instant),
    lastLoginInstant: Number(row.last_login_instant),
    accessTokenSealed: row.access_token_sealed ?? undefined,
    accessTokenExpirationInstant: row.access_token_expiration_instant === null ? undefined : Number(row.access_token_expiration_instant),
    scopes: row.scopes ?? undefined,
    status: row.status,
    idTokenSealed: row.id_token_sealed ?? undefined,
    refreshTokenExpirationInstant: optionalNumber(row.refresh_token_expiration_instant),
    lastRefreshInstant: optionalNumber(row.last_refresh_instant),
    version: Number(row.version),
    refreshFailures: Number(row.refresh_failures),
    refreshRetryInstant: optionalNumber(row.refresh_retry_instant),
  };
}

const optionalNumber = (value: number | string | null): number | undefined => (value === null ? undefined : Number(value));

function toPending(row: Selectable<PendingIdentityProviderLinkTable>): PendingIdentityProviderLink {
  return {
    idHash: row.id,
    tenantId: row.tenant_id,
    identityProviderId: row.identity_provider_id,
    identityProviderUserId: row.identity_provider_user_id,
    displayName: row.display_name ?? undefined,
    email: row.email ?? undefined,
    username: row.username ?? undefined,
    tokenSealed: row.token_sealed ?? undefined,
    insertInstant: Number(row.insert_instant),
    expirationInstant: Number(row.expiration_instant),
  };
}

function upstreamTokenColumns(link: IdentityProviderLink) {
  return {
    access_token_sealed: link.accessTokenSealed ?? null,
    access_token_expiration_instant: link.accessTokenExpirationInstant ?? null,
    scopes: link.scopes ?? null,
    status: link.status,
    id_token_sealed: link.idTokenSealed ?? null,
    refresh_token_expiration_instant: link.refreshTokenExpirationInstant ?? null,
    last_refresh_instant: link.lastRefreshInstant ?? null,
    version: link.version,
    refresh_failures: link.refreshFailures,
    refresh_retry_instant: link.refreshRetryInstant ?? null,
  };
}

export function createIdentityProviderLinkRepository(db: Kysely<Database>) {
  return {
    /** The link, its row locked until the transaction ends (writers of its tokens take turns). */
    async findForUpdate(id: string): Promise<IdentityProviderLink | undefined> {
      const row = await db.selectFrom('identity_provider_links').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      return row === undefined ? undefined : toLink(row);
    },

    async find(id: string): Promise<IdentityProviderLink | undefined> {
      const row = await db.selectFrom('identity_provider_links').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toLink(row);
    },

    async findByUpstream(identityProviderId: string, identityProviderUserId: string, options: { readonly forUpdate?: boolean } = {}): Promise<IdentityProviderLink | undefined> {
      const query = db
        .selectFrom('identity_provider_links')
        .selectAll()
        .where('identity_provider_id', '=', identityProviderId)
        .where('identity_provider_user_id', '=', identityProviderUserId);
      const row = await (options.forUpdate === true ? query.forUpdate() : query).executeTakeFirst();
      return row === undefined ? undefined : toLink(row);
    },

    /** A user's links, to one provider or all, oldest first. */
    async listByUser(userId: string, identityProviderId?: string): Promise<IdentityProviderLink[]> {
      let query = db.selectFrom('identity_provider_links').selectAll().where('user_id', '=', userId);
      if (identityProviderId !== undefined) query = query.where('identity_provider_id', '=', identityProviderId);
      const rows = await query.orderBy('insert_instant').orderBy('id').execute();
      return rows.map(toLink);
    },

    /**
     * One page of the links matching the filter, by id (a stable order the indexes of migrations 0014
     * and 0016 serve: provider+status+id, tenant+id, user+provider), and how many match in all.
     */
    async search(filter: IdentityProviderLinkFilter, startRow: number, numberOfResults: number): Promise<{ links: IdentityProviderLink[]; total: number }> {
      let query = db.selectFrom('identity_provider_links');
      if (filter.identityProviderId !== undefined) query = query.where('identity_provider_id', '=', filter.identityProviderId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy('id').offset(startRow).limit(numberOfResults).execute(),
        query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { links: rows.map(toLink), total: Number(count.n) };
    },

    async countByUser(userId: string, identityProviderId: string): Promise<number> {
      const row = await db
        .selectFrom('identity_provider_links')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('user_id', '=', userId)
        .where('identity_provider_id', '=', identityProviderId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Throws DuplicateError (identity_provider_links_pkey, identity_provider_links_upstream_key). */
    async insert(link: IdentityProviderLink): Promise<void> {
      await rethrowDuplicate(
        db
          .insertInto('identity_provider_links')
          .values({
            id: link.id,
            tenant_id: link.tenantId,
            user_id: link.userId,
            identity_provider_id: link.identityProviderId,
            identity_provider_user_id: link.identityProviderUserId,
            display_name: link.displayName ?? null,
            data: JSON.stringify(link.data),
            token_sealed: link.tokenSealed ?? null,
            insert_instant: link.insertInstant,
            last_login_instant: link.lastLoginInstant,
            ...upstreamTokenColumns(link),
          })
          .execute(),
      );
    },

    /** Replaces the display name, data, tokens and last login of an existing link. */
    async update(link: IdentityProviderLink): Promise<void> {
      await db
        .updateTable('identity_provider_links')
        .set({ display_name: link.displayName ?? null, data: JSON.stringify(link.data), token_sealed: link.tokenSealed ?? null, last_login_instant: link.lastLoginInstant, ...upstreamTokenColumns(link) })
        .where('id', '=', link.id)
        .execute();
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('identity_provider_links').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async insertPending(pending: PendingIdentityProviderLink): Promise<void> {
      await db
        .insertInto('pending_identity_provider_links')
        .values({
          id: pending.idHash,
          tenant_id: pending.tenantId,
          identity_provider_id: pending.identityProviderId,
          identity_provider_user_id: pending.identityProviderUserId,
          display_name: pending.displayName ?? null,
          email: pending.email ?? null,
          username: pending.username ?? null,
          token_sealed: pending.tokenSealed ?? null,
          insert_instant: pending.insertInstant,
          expiration_instant: pending.expirationInstant,
        })
        .execute();
    },

    /** The pending link with this id hash, unless it expired by `now`. */
    async findPending(idHash: Buffer, now: number): Promise<PendingIdentityProviderLink | undefined> {
      const row = await db.selectFrom('pending_identity_provider_links').selectAll().where('id', '=', idHash).where('expiration_instant', '>', now).executeTakeFirst();
      return row === undefined ? undefined : toPending(row);
    },

    /** Removes a used pending link and every expired one. */
    async deletePending(idHash: Buffer, now: number): Promise<void> {
      await db.deleteFrom('pending_identity_provider_links').where((eb) => eb.or([eb('id', '=', idHash), eb('expiration_instant', '<=', now)])).execute();
    },
  };
}

export type IdentityProviderLinkRepository = ReturnType<typeof createIdentityProviderLinkRepository>;
