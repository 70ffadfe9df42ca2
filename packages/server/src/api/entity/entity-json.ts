import { entityClientSecret } from '../../entities/entities.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { EntityGrant } from '../../store/repositories/entity-grant-repository.ts';
import type { Entity } from '../../store/repositories/entity-repository.ts';
import { entityTypeJson } from '../entity-type/entity-type-json.ts';

/**
 * FusionAuth's Entity. The client secret is unsealed and returned, as FusionAuth returns it, except where
 * FusionAuth leaves it out (the target entities of a grant search).
 */
export function entityJson(entity: Entity, keyRing: KeyRing, options: { readonly withSecret: boolean } = { withSecret: true }) {
  return {
    id: entity.id,
    tenantId: entity.tenantId,
    name: entity.name,
    clientId: entity.clientId,
    ...(options.withSecret ? { clientSecret: entityClientSecret(keyRing, entity) } : {}),
    ...(entity.parentId === undefined ? {} : { parentId: entity.parentId }),
    type: entityTypeJson(entity.type),
    data: entity.data,
    insertInstant: entity.insertInstant,
    lastUpdateInstant: entity.lastUpdateInstant,
  };
}

/** FusionAuth's EntityGrant: `entity` is the target. */
export function grantJson(grant: EntityGrant, target: ReturnType<typeof entityJson>) {
  return {
    id: grant.id,
    entity: target,
    ...(grant.userId === undefined ? {} : { userId: grant.userId }),
    ...(grant.recipientEntityId === undefined ? {} : { recipientEntityId: grant.recipientEntityId }),
    permissions: grant.permissions,
    data: grant.data,
    insertInstant: grant.insertInstant,
    lastUpdateInstant: grant.lastUpdateInstant,
  };
}

const uuid = { type: 'string', format: 'uuid' } as const;

export const entityIdParams = { type: 'object', required: ['entityId'], properties: { entityId: uuid } } as const;
export const recipientQuery = { type: 'object', properties: { userId: uuid, recipientEntityId: uuid } } as const;

/** The route-level body check: the wrapper only; the entity itself is validated by the domain. */
export const entityBody = { type: 'object', required: ['entity'], properties: { entity: { type: 'object' } } } as const;
