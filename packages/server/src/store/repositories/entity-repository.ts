import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import { likePattern } from '../like-pattern.ts';
import type { Database } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';
import { permissionsOf, toEntityType, type EntityType } from './entity-type-repository.ts';

/** A machine identity of one tenant: an OAuth client of the client credentials grant, and a grant target. */
export interface Entity {
  readonly id: string;
  readonly tenantId: string;
  /** Its type, with the type's permissions. */
  readonly type: EntityType;
  readonly parentId: string | undefined;
  readonly name: string;
  /** Unique across every tenant; defaults to the id. */
  readonly clientId: string;
  /** The client secret, sealed for entities/<id>/client_secret_sealed. */
  readonly clientSecretSealed: Buffer;
  readonly data: Record<string, unknown>;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

/** The columns entity searches can order by, as FusionAuth names them. */
export type EntitySortField = 'clientId' | 'insertInstant' | 'lastUpdateInstant' | 'name' | 'tenantId' | 'typeId';

export interface EntitySearch {
  /** Limits the search to one tenant; undefined searches every tenant. */
  readonly tenantId: string | undefined;
  /** Case-insensitive match on name, client id and type name; `*` is a wildcard, `*` alone (or '') matches all. */
  readonly queryString: string;
  readonly sort: readonly { readonly field: EntitySortField; readonly descending: boolean }[];
  readonly startRow: number;
  readonly numberOfResults: number;
}

const sortColumns: Record<EntitySortField, string> = {
  clientId: 'entities.client_id',
  insertInstant: 'entities.insert_instant',
  lastUpdateInstant: 'entities.last_update_instant',
  name: 'entities.name',
  tenantId: 'entities.tenant_id',
  typeId: 'entities.entity_type_id',
};

type Joined = ExpressionBuilder<Database, 'entities' | 'entity_types'>;

function searchFilter(search: EntitySearch) {
  return (eb: Joined): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    if (search.tenantId !== undefined) conditions.push(eb('entities.tenant_id', '=', search.tenantId));
    const query = search.queryString.trim();
    if (query !== '' && !/^\*+$/.test(query)) {
      const pattern = likePattern(query);
      conditions.push(
        eb.or(['entities.name', 'entities.client_id', 'entity_types.name'].map((column) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern}`)),
      );
    }
    return eb.and(conditions);
  };
}

export function createEntityRepository(db: Kysely<Database>) {
  const joined = () => db.selectFrom('entities').innerJoin('entity_types', 'entity_types.id', 'entities.entity_type_id');
  const withType = () =>
    joined()
      .selectAll('entities')
      .select([
        'entity_types.name as type_name',
        'entity_types.data as type_data',
        'entity_types.jwt_configuration as type_jwt_configuration',
        'entity_types.insert_instant as type_insert_instant',
        'entity_types.last_update_instant as type_last_update_instant',
        permissionsOf(sql.ref('entities.entity_type_id')).as('type_permissions'),
      ]);
  type Row = Awaited<ReturnType<ReturnType<typeof withType>['executeTakeFirstOrThrow']>>;

  const toEntity = (row: Row): Entity => ({
    id: row.id,
    tenantId: row.tenant_id,
    type: toEntityType({
      id: row.entity_type_id,
      name: row.type_name,
      data: row.type_data,
      jwt_configuration: row.type_jwt_configuration,
      insert_instant: row.type_insert_instant,
      last_update_instant: row.type_last_update_instant,
      permissions: row.type_permissions,
    }),
    parentId: row.parent_id ?? undefined,
    name: row.name,
    clientId: row.client_id,
    clientSecretSealed: row.client_secret_sealed,
    data: row.data,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  });

  return {
    async find(id: string): Promise<Entity | undefined> {
      const row = await withType().where('entities.id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toEntity(row);
    },

    /** The client credentials lookup: one indexed query (entities_client_id_key). */
    async findByClientId(clientId: string): Promise<Entity | undefined> {
      const row = await withType().where('entities.client_id', '=', clientId).executeTakeFirst();
      return row === undefined ? undefined : toEntity(row);
    },

    /** These entities in the order of `ids` (unknown ones and those outside `tenantId` are left out). */
    async findMany(ids: readonly string[], tenantId: string | undefined): Promise<Entity[]> {
      if (ids.length === 0) return [];
      let query = withType().where('entities.id', 'in', [...ids]);
      if (tenantId !== undefined) query = query.where('entities.tenant_id', '=', tenantId);
      const byId = new Map((await query.execute()).map((row) => [row.id, toEntity(row)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    },

    /** One page and the total; ties broken by id so pages never overlap. */
    async search(search: EntitySearch): Promise<{ entities: Entity[]; total: number }> {
      const filter = searchFilter(search);
      let query = withType().where(filter);
      for (const term of search.sort) {
        // Text columns in code point order, the same on both backends.
        const column = sql.ref(sortColumns[term.field]);
        const expression = term.field === 'name' || term.field === 'clientId' ? sql`${column} collate "C"` : column;
        query = query.orderBy(expression, term.descending ? 'desc' : 'asc');
      }
      const [rows, counted] = await Promise.all([
        query.orderBy('entities.id').offset(search.startRow).limit(search.numberOfResults).execute(),
        joined().select((eb) => eb.fn.countAll<number>().as('total')).where(filter).executeTakeFirstOrThrow(),
      ]);
      return { entities: rows.map(toEntity), total: counted.total };
    },

    /** The ids above `id` through `parent_id` (its parent, the parent's parent...), to refuse cycles. */
    async ancestorIds(id: string): Promise<string[]> {
      const { rows } = await sql<{ id: string }>`
        with recursive up (id, parent_id) as (
          select id, parent_id from entities where id = ${id}
          union
          select e.id, e.parent_id from entities e join up on e.id = up.parent_id
        ) select id from up`.execute(db);
      return rows.map((row) => row.id);
    },

    /** Throws DuplicateError (entities_pkey, entities_client_id_key). */
    async insert(entity: Entity): Promise<void> {
      await rethrowDuplicate(
        db
          .insertInto('entities')
          .values({
            id: entity.id,
            tenant_id: entity.tenantId,
            entity_type_id: entity.type.id,
            parent_id: entity.parentId ?? null,
            name: entity.name,
            client_id: entity.clientId,
            client_secret_sealed: entity.clientSecretSealed,
            data: JSON.stringify(entity.data),
            insert_instant: entity.insertInstant,
            last_update_instant: entity.lastUpdateInstant,
          })
          .execute(),
      );
    },

    /** Name, parent, secret and data; the tenant, type and client id stay. Returns whether it exists. */
    async update(entity: Entity): Promise<boolean> {
      const result = await db
        .updateTable('entities')
        .set({
          parent_id: entity.parentId ?? null,
          name: entity.name,
          client_secret_sealed: entity.clientSecretSealed,
          data: JSON.stringify(entity.data),
          last_update_instant: entity.lastUpdateInstant,
        })
        .where('id', '=', entity.id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** The entity, its grants (as target or recipient) and its child entities (foreign keys cascade). */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('entities').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type EntityRepository = ReturnType<typeof createEntityRepository>;
