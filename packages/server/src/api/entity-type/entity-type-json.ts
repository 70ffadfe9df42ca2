import type { EntityType, EntityTypePermission } from '../../store/repositories/entity-type-repository.ts';

/** FusionAuth's EntityTypePermission. */
export function permissionJson(permission: EntityTypePermission) {
  return {
    id: permission.id,
    name: permission.name,
    ...(permission.description === undefined ? {} : { description: permission.description }),
    isDefault: permission.isDefault,
    data: permission.data,
    insertInstant: permission.insertInstant,
    lastUpdateInstant: permission.lastUpdateInstant,
  };
}

/** FusionAuth's EntityType, permissions by name. */
export function entityTypeJson(type: EntityType) {
  return {
    id: type.id,
    name: type.name,
    data: type.data,
    jwtConfiguration: type.jwtConfiguration,
    permissions: type.permissions.map(permissionJson),
    insertInstant: type.insertInstant,
    lastUpdateInstant: type.lastUpdateInstant,
  };
}

const uuid = { type: 'string', format: 'uuid' } as const;

export const entityTypeIdParams = { type: 'object', required: ['entityTypeId'], properties: { entityTypeId: uuid } } as const;
export const permissionIdParams = { type: 'object', required: ['entityTypeId', 'permissionId'], properties: { entityTypeId: uuid, permissionId: uuid } } as const;

/** The route-level body checks: the wrapper only; the object itself is validated by the domain. */
export const entityTypeBody = { type: 'object', required: ['entityType'], properties: { entityType: { type: 'object' } } } as const;
export const permissionBody = { type: 'object', required: ['permission'], properties: { permission: { type: 'object' } } } as const;
