import { randomUUID } from 'node:crypto';
import { FieldErrors } from '../errors/api-error.ts';
import { duplicateFieldError } from '../errors/duplicate-field.ts';
import type { KeyRing } from '../keys/key-ring.ts';
import type { Entity } from '../store/repositories/entity-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { TenantScope } from '../tenancy/applications.ts';
import { clientSecretMatches, generateClientSecret, sealOwnedClientSecret, unsealOwnedClientSecret } from '../tenancy/client-secret.ts';
import { updatedBody, type UpdateMode } from '../validation/update-body.ts';
import { createValidator } from '../validation/validator.ts';
import { entitySchema } from './entity-schemas.ts';

/** A checked `entity` body. Blank client id and secret are undefined (defaulted on create, kept on update). */
export interface EntityInput {
  readonly name: string;
  readonly typeId: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly parentId: string | undefined;
  readonly tenantId: string | undefined;
  readonly data: Record<string, unknown>;
}

interface Validated {
  name: string;
  type?: { id?: string };
  clientId?: string;
  clientSecret?: string;
  parentId?: string;
  tenantId?: string;
  data: Record<string, unknown>;
}

const validateSchema = createValidator<Validated>(entitySchema, 'entity');

const duplicateField = duplicateFieldError({
  entities_pkey: ['entityId', 'An entity with this id already exists.'],
  entities_client_id_key: ['entity.clientId', 'Another entity has this client id.'],
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const blank = (value: string | undefined) => value === undefined || value.trim() === '';
const owner = (entityId: string) => ({ table: 'entities', id: entityId }) as const;

/** Checks an `entity` body: `[blank]`/`[tooLong]entity.name` (255), `[missing]entity.type`, `[missing]entity.type.id`... */
export function validateEntity(body: unknown): EntityInput {
  const entity = validateSchema(body);
  const errors = new FieldErrors();
  if (blank(entity.name)) errors.add('entity.name', 'blank', 'The entity needs a name.');
  if (entity.type === undefined) errors.add('entity.type', 'missing', 'The entity needs a type: send entity.type.id.');
  else if (entity.type.id === undefined) errors.add('entity.type.id', 'missing', 'The entity needs a type: send entity.type.id.');
  errors.throwIfAny();
  return {
    name: entity.name.trim(),
    typeId: entity.type?.id?.toLowerCase(),
    clientId: blank(entity.clientId) ? undefined : entity.clientId,
    clientSecret: blank(entity.clientSecret) ? undefined : entity.clientSecret,
    parentId: entity.parentId?.toLowerCase(),
    tenantId: entity.tenantId?.toLowerCase(),
    data: entity.data,
  };
}

/** The entity, when it exists and the scope may see it. */
export async function findEntityInScope(repositories: Pick<Repositories, 'entities'>, id: string, scope: TenantScope): Promise<Entity | undefined> {
  const entity = await repositories.entities.find(id.toLowerCase());
  return entity === undefined || (scope !== undefined && entity.tenantId !== scope) ? undefined : entity;
}

/**
 * The entity a client credentials request names by `client_id` (any tenant; client ids are unique across
 * tenants), with its type (JWT settings, permissions). One indexed query.
 */
export function findEntityByClientId(repositories: Pick<Repositories, 'entities'>, clientId: string): Promise<Entity | undefined> {
  return repositories.entities.findByClientId(clientId);
}

/** The entity's client secret in clear, as the API returns it. */
export function entityClientSecret(keyRing: KeyRing, entity: Pick<Entity, 'id' | 'clientSecretSealed'>): string {
  return unsealOwnedClientSecret(keyRing, owner(entity.id), entity.clientSecretSealed);
}

/** Whether `presented` is the entity's client secret: unsealed, then compared in constant time (no slow hash). */
export function entitySecretMatches(keyRing: KeyRing, entity: Pick<Entity, 'id' | 'clientSecretSealed'>, presented: string): boolean {
  return clientSecretMatches(entityClientSecret(keyRing, entity), presented);
}

async function clientIdTaken(repositories: Repositories, clientId: string): Promise<boolean> {
  if ((await repositories.entities.findByClientId(clientId)) !== undefined) return true;
  return uuid.test(clientId) && (await repositories.applications.find(clientId.toLowerCase())) !== undefined;
}

/** A parent must be an entity of the same tenant that is not the entity itself nor one of its descendants. */
async function checkParent(repositories: Repositories, entityId: string, tenantId: string, parentId: string | undefined, errors: FieldErrors): Promise<void> {
  if (parentId === undefined) return;
  const parent = await repositories.entities.find(parentId);
  if (parent === undefined || parent.tenantId !== tenantId || (await repositories.entities.ancestorIds(parentId)).includes(entityId)) {
    errors.add('entity.parentId', 'invalid', 'The parent must be another entity of the same tenant, and not one of its descendants.');
  }
}

/**
 * POST /api/entity[/{id}] in `tenantId`. A blank client id becomes the entity id and a blank secret is
 * generated (256 bits), as FusionAuth does. Client ids are unique across tenants and may not be an
 * application's id, so the token endpoint always knows which client is meant.
 */
export async function createEntity(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly id: string | undefined; readonly tenantId: string; readonly input: EntityInput },
  now: number,
): Promise<Entity> {
  const { input } = request;
  const id = request.id ?? randomUUID();
  const clientId = input.clientId ?? id;
  const errors = new FieldErrors();
  if ((await repositories.tenants.find(request.tenantId)) === undefined) errors.add('entity.tenantId', 'invalid', `No tenant has the id ${request.tenantId}.`);
  const idTaken = request.id !== undefined && (await repositories.entities.find(request.id)) !== undefined;
  if (idTaken) errors.add('entityId', 'duplicate', 'An entity with this id already exists.');
  // A client id defaulted from a taken id is the same error, reported once.
  if (!(idTaken && input.clientId === undefined) && (await clientIdTaken(repositories, clientId))) {
    errors.add('entity.clientId', 'duplicate', 'Another entity or an application has this client id.');
  }
  const type = input.typeId === undefined ? undefined : await repositories.entityTypes.find(input.typeId);
  if (type === undefined) errors.add('entity.type.id', 'invalid', 'No entity type has this id.');
  await checkParent(repositories, id, request.tenantId, input.parentId, errors);
  errors.throwIfAny();
  const entity: Entity = {
    id,
    tenantId: request.tenantId,
    type: type!,
    parentId: input.parentId,
    name: input.name,
    clientId,
    clientSecretSealed: sealOwnedClientSecret(keyRing, owner(id), input.clientSecret ?? generateClientSecret()),
    data: input.data,
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.entities.insert(entity).catch(duplicateField);
  return entity;
}

/** What a PATCH merges into: the fields a PUT sends (never the secret). */
function requestShape(entity: Entity) {
  return {
    name: entity.name,
    type: { id: entity.type.id },
    clientId: entity.clientId,
    ...(entity.parentId === undefined ? {} : { parentId: entity.parentId }),
    tenantId: entity.tenantId,
    data: entity.data,
  };
}

/**
 * PUT replaces name, parent and data; PATCH merges (RFC 7396) or applies JSON Patch first. As in
 * FusionAuth, the tenant, the type and the client id never change (the body's are ignored), and a blank
 * client secret keeps the current one.
 */
export async function updateEntity(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly id: string; readonly body: unknown; readonly mode: UpdateMode; readonly scope: TenantScope },
  now: number,
): Promise<Entity | undefined> {
  const existing = await findEntityInScope(repositories, request.id, request.scope);
  if (existing === undefined) return undefined;
  const body = updatedBody(request.mode, requestShape(existing), request.body, 'entity');
  // The type is kept whatever the body says; it is named here only so a body without one passes.
  const input = validateEntity(typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, type: { id: existing.type.id } } : body);
  const errors = new FieldErrors();
  await checkParent(repositories, existing.id, existing.tenantId, input.parentId, errors);
  errors.throwIfAny();
  const entity: Entity = {
    ...existing,
    name: input.name,
    parentId: input.parentId,
    clientSecretSealed: input.clientSecret === undefined ? existing.clientSecretSealed : sealOwnedClientSecret(keyRing, owner(existing.id), input.clientSecret),
    data: input.data,
    lastUpdateInstant: now,
  };
  return (await repositories.entities.update(entity)) ? entity : undefined;
}

/** DELETE /api/entity/{id}: the entity, its grants (either side) and its child entities. */
export async function deleteEntity(repositories: Repositories, id: string, scope: TenantScope): Promise<boolean> {
  const existing = await findEntityInScope(repositories, id, scope);
  return existing !== undefined && (await repositories.entities.delete(existing.id));
}

