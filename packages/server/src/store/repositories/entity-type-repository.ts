import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

/** FusionAuth's EntityJWTConfiguration: when enabled, tokens issued to entities of the type use these settings. */
export interface EntityJwtConfiguration {
  readonly enabled: boolean;
  readonly accessTokenKeyId?: string;
  readonly accessTokenVerificationKeyIds: readonly string[];
  readonly timeToLiveInSeconds?: number;
}

export interface EntityTypePermission {
  readonly id: string;
  readonly entityTypeId: string;
  /** Unique per type, case-sensitive; never changes once created. */
  readonly name: string;
  readonly description: string | undefined;
  /** Granted when a grant names no permissions. */
  readonly isDefault: boolean;
  readonly data: Record<string, unknown>;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

export interface EntityType {
  readonly id: string;
  readonly name: string;
  readonly data: Record<string, unknown>;
  readonly jwtConfiguration: EntityJwtConfiguration;
  /** Sorted by name in code point order. */
  readonly permissions: readonly EntityTypePermission[];
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

/** The columns of an entity type row, plus its permissions as one JSON array (see `permissionsOf`). */
export interface EntityTypeRow {
  readonly id: string;
  readonly name: string;
  readonly data: Record<string, unknown>;
  readonly jwt_configuration: Record<string, unknown>;
  readonly insert_instant: number;
  readonly last_update_instant: number;
  readonly permissions: readonly PermissionJson[];
}

interface PermissionJson {
  readonly id: string;
  readonly entityTypeId: string;
  readonly name: string;
  readonly description: string | null;
  readonly isDefault: boolean;
  readonly data: Record<string, unknown>;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

/**
 * A type's permissions as one JSON array, sorted by name: loading a type (or an entity with its type) is
 * one round trip. `typeId` is a column reference such as `entity_types.id`.
 */
export function permissionsOf(typeId: Expression<string> | RawBuilder<string>): RawBuilder<PermissionJson[]> {
  return sql<PermissionJson[]>`coalesce((
    select jsonb_agg(jsonb_build_object(
      'id', p.id, 'entityTypeId', p.entity_type_id, 'name', p.name, 'description', p.description, 'isDefault', p.is_default,
      'data', p.data, 'insertInstant', p.insert_instant, 'lastUpdateInstant', p.last_update_instant) order by p.name collate "C", p.id)
    from entity_type_permissions p where p.entity_type_id = ${typeId}), '[]'::jsonb)`;
}

export function toEntityType(row: EntityTypeRow): EntityType {
  const jwt = row.jwt_configuration as Partial<EntityJwtConfiguration>;
  return {
    id: row.id,
    name: row.name,
    data: row.data,
    jwtConfiguration: { ...jwt, enabled: jwt.enabled === true, accessTokenVerificationKeyIds: jwt.accessTokenVerificationKeyIds ?? [] },
    permissions: row.permissions.map((permission) => ({ ...permission, description: permission.description ?? undefined })),
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function typeRow(type: EntityType) {
  return {
    id: type.id,
    name: type.name,
    data: JSON.stringify(type.data),
    jwt_configuration: JSON.stringify(type.jwtConfiguration),
    insert_instant: type.insertInstant,
    last_update_instant: type.lastUpdateInstant,
  };
}

function permissionRow(permission: EntityTypePermission) {
  return {
    id: permission.id,
    entity_type_id: permission.entityTypeId,
    name: permission.name,
    description: permission.description ?? null,
    is_default: permission.isDefault,
    data: JSON.stringify(permission.data),
    insert_instant: permission.insertInstant,
    last_update_instant: permission.lastUpdateInstant,
  };
}

export function createEntityTypeRepository(db: Kysely<Database>) {
  const withPermissions = () => db.selectFrom('entity_types').selectAll('entity_types').select(permissionsOf(sql.ref('entity_types.id')).as('permissions'));

  return {
    async find(id: string): Promise<EntityType | undefined> {
      const row = await withPermissions().where('entity_types.id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toEntityType(row);
    },

    /** Every type, by name (case-insensitive, then code point order). Types are few: searches filter this list. */
    async list(): Promise<EntityType[]> {
      const rows = await withPermissions().orderBy(sql`lower(name) collate "C"`).orderBy(sql`name collate "C"`).execute();
      return rows.map(toEntityType);
    },

    /** The type and its permissions. Throws DuplicateError (entity_types_pkey, entity_types_name_key, entity_type_permissions_pkey, entity_type_permissions_name_key). */
    async insert(type: EntityType): Promise<void> {
      await rethrowDuplicate(db.insertInto('entity_types').values(typeRow(type)).execute());
      if (type.permissions.length > 0) await rethrowDuplicate(db.insertInto('entity_type_permissions').values(type.permissions.map(permissionRow)).execute());
    },

    /** Name, data and JWT settings; permissions are not touched. Returns whether the type exists. */
    async update(type: EntityType): Promise<boolean> {
      const { id: _id, insert_instant: _inserted, ...set } = typeRow(type);
      const result = await rethrowDuplicate(db.updateTable('entity_types').set(set).where('id', '=', type.id).executeTakeFirst());
      return result.numUpdatedRows > 0n;
    },

    /** The type, its permissions, its entities and their grants (foreign keys cascade). */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('entity_types').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Whether a permission of any type has this id (ids are global). */
    async permissionIdTaken(id: string): Promise<boolean> {
      return (await db.selectFrom('entity_type_permissions').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },

    /** Throws DuplicateError (entity_type_permissions_pkey, entity_type_permissions_name_key). */
    async insertPermission(permission: EntityTypePermission): Promise<void> {
      await rethrowDuplicate(db.insertInto('entity_type_permissions').values(permissionRow(permission)).execute());
    },

    /** Description, default flag and data; the name never changes. Returns whether the permission exists. */
    async updatePermission(permission: EntityTypePermission): Promise<boolean> {
      const result = await db
        .updateTable('entity_type_permissions')
        .set({ description: permission.description ?? null, is_default: permission.isDefault, data: JSON.stringify(permission.data), last_update_instant: permission.lastUpdateInstant })
        .where('id', '=', permission.id)
        .where('entity_type_id', '=', permission.entityTypeId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Deletes one permission of a type, by id or by name, and takes it out of every grant on the type's
     * entities (FusionAuth's grant-permission rows cascade the same way). Returns whether it existed.
     */
    async deletePermission(entityTypeId: string, permission: { readonly id: string } | { readonly name: string }): Promise<boolean> {
      let query = db.deleteFrom('entity_type_permissions').where('entity_type_id', '=', entityTypeId);
      query = 'id' in permission ? query.where('id', '=', permission.id) : query.where('name', '=', permission.name);
      const deleted = await query.returning('name').executeTakeFirst();
      if (deleted === undefined) return false;
      await db
        .updateTable('entity_grants')
        .set({ permissions: sql<string>`permissions - ${deleted.name}::text` })
        .where('target_entity_id', 'in', db.selectFrom('entities').select('id').where('entity_type_id', '=', entityTypeId))
        .where(sql<boolean>`permissions ? ${deleted.name}`)
        .execute();
      return true;
    },
  };
}

export type EntityTypeRepository = ReturnType<typeof createEntityTypeRepository>;
