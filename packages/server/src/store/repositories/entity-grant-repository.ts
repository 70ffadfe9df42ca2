import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from 'kysely';
import { likePattern } from '../like-pattern.ts';
import type { Database, EntityGrantTable } from '../schema.ts';

/** Permissions a recipient (an entity or a user) holds on a target entity. One grant per target and recipient. */
export interface EntityGrant {
  readonly id: string;
  readonly targetEntityId: string;
  /** Exactly one of recipientEntityId and userId is set. */
  readonly recipientEntityId: string | undefined;
  readonly userId: string | undefined;
  /** Names of permissions of the target's type. */
  readonly permissions: readonly string[];
  readonly data: Record<string, unknown>;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

export type GrantRecipient = { readonly recipientEntityId: string } | { readonly userId: string };

export interface EntityGrantSearch {
  readonly entityId: string | undefined;
  readonly userId: string | undefined;
  /** The target entity's name: case-insensitive, `*` a wildcard, no `*` means "contains". */
  readonly name: string | undefined;
  /** Only grants on this tenant's entities. */
  readonly tenantId: string | undefined;
  readonly order: readonly { readonly field: 'insertInstant' | 'name'; readonly descending: boolean }[];
  readonly startRow: number;
  readonly numberOfResults: number;
}

function toGrant(row: Selectable<EntityGrantTable>): EntityGrant {
  return {
    id: row.id,
    targetEntityId: row.target_entity_id,
    recipientEntityId: row.recipient_entity_id ?? undefined,
    userId: row.user_id ?? undefined,
    permissions: row.permissions,
    data: row.data,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function recipientFilter(recipient: GrantRecipient) {
  return (eb: ExpressionBuilder<Database, 'entity_grants'>) =>
    'userId' in recipient ? eb('entity_grants.user_id', '=', recipient.userId) : eb('entity_grants.recipient_entity_id', '=', recipient.recipientEntityId);
}

type Joined = ExpressionBuilder<Database, 'entity_grants' | 'entities'>;

function searchFilter(search: EntityGrantSearch) {
  return (eb: Joined): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    if (search.entityId !== undefined) conditions.push(eb('entity_grants.target_entity_id', '=', search.entityId));
    if (search.userId !== undefined) conditions.push(eb('entity_grants.user_id', '=', search.userId));
    if (search.tenantId !== undefined) conditions.push(eb('entities.tenant_id', '=', search.tenantId));
    const name = search.name?.trim() ?? '';
    if (name !== '' && !/^\*+$/.test(name)) conditions.push(sql<boolean>`lower(entities.name) like ${likePattern(name)}`);
    return eb.and(conditions);
  };
}

export function createEntityGrantRepository(db: Kysely<Database>) {
  return {
    /** The grant a recipient holds on a target: one lookup on a unique index (the client credentials path). */
    async find(targetEntityId: string, recipient: GrantRecipient): Promise<EntityGrant | undefined> {
      const row = await db.selectFrom('entity_grants').selectAll().where('target_entity_id', '=', targetEntityId).where(recipientFilter(recipient)).executeTakeFirst();
      return row === undefined ? undefined : toGrant(row);
    },

    /** Every grant on a target: user grants first by user id, then entity grants by recipient id (FusionAuth's order). */
    async listByTarget(targetEntityId: string): Promise<EntityGrant[]> {
      const rows = await db
        .selectFrom('entity_grants')
        .selectAll()
        .where('target_entity_id', '=', targetEntityId)
        .orderBy(sql`user_id is null`)
        .orderBy('user_id')
        .orderBy('recipient_entity_id')
        .execute();
      return rows.map(toGrant);
    },

    /**
     * Creates the grant, or replaces the permissions and data of the one the recipient already holds (its
     * id and insert instant stay). Atomic on both backends: concurrent upserts of one pair never collide.
     */
    async upsert(grant: EntityGrant): Promise<EntityGrant> {
      const values = {
        id: grant.id,
        target_entity_id: grant.targetEntityId,
        recipient_entity_id: grant.recipientEntityId ?? null,
        user_id: grant.userId ?? null,
        permissions: JSON.stringify(grant.permissions),
        data: JSON.stringify(grant.data),
        insert_instant: grant.insertInstant,
        last_update_instant: grant.lastUpdateInstant,
      };
      const conflict = grant.userId === undefined ? (['target_entity_id', 'recipient_entity_id'] as const) : (['target_entity_id', 'user_id'] as const);
      const row = await db
        .insertInto('entity_grants')
        .values(values)
        .onConflict((oc) => oc.columns([...conflict]).doUpdateSet({ permissions: values.permissions, data: values.data, last_update_instant: values.last_update_instant }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toGrant(row);
    },

    async delete(targetEntityId: string, recipient: GrantRecipient): Promise<boolean> {
      const result = await db.deleteFrom('entity_grants').where('target_entity_id', '=', targetEntityId).where(recipientFilter(recipient)).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** One page of grants and the total; ties broken by id so pages never overlap. */
    async search(search: EntityGrantSearch): Promise<{ grants: EntityGrant[]; total: number }> {
      const filter = searchFilter(search);
      const joined = () => db.selectFrom('entity_grants').innerJoin('entities', 'entities.id', 'entity_grants.target_entity_id').where(filter);
      let query = joined().selectAll('entity_grants');
      for (const term of search.order) {
        const expression = term.field === 'name' ? sql`entities.name collate "C"` : sql.ref('entity_grants.insert_instant');
        query = query.orderBy(expression, term.descending ? 'desc' : 'asc');
      }
      const [rows, counted] = await Promise.all([
        query.orderBy('entity_grants.id').offset(search.startRow).limit(search.numberOfResults).execute(),
        joined().select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
      ]);
      return { grants: rows.map(toGrant), total: counted.total };
    },
  };
}

export type EntityGrantRepository = ReturnType<typeof createEntityGrantRepository>;
