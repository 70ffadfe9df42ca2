import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../errors/api-error.ts';
import type { EntityGrant, GrantRecipient } from '../store/repositories/entity-grant-repository.ts';
import type { Entity } from '../store/repositories/entity-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { createValidator } from '../validation/validator.ts';
import { grantSchema } from './entity-schemas.ts';

interface GrantInput {
  readonly userId?: string;
  readonly recipientEntityId?: string;
  readonly permissions: readonly string[];
  readonly data: Record<string, unknown>;
}

const validateSchema = createValidator<GrantInput>(grantSchema, 'grant');

/** Who a grant request names: the user wins when both are sent (as in FusionAuth); undefined when neither is. */
export function grantRecipient(query: { readonly userId?: string | undefined; readonly recipientEntityId?: string | undefined }): GrantRecipient | undefined {
  if (query.userId !== undefined) return { userId: query.userId.toLowerCase() };
  if (query.recipientEntityId !== undefined) return { recipientEntityId: query.recipientEntityId.toLowerCase() };
  return undefined;
}

/**
 * The permissions a grant stores: the named ones, which must all be permissions of the target's type
 * (`[invalid]grant.permissions` lists the others), or the type's default permissions when none is named.
 * Stored once each, in the type's (name) order.
 */
function grantedPermissions(target: Entity, requested: readonly string[], errors: FieldErrors): string[] {
  const names = target.type.permissions.map((permission) => permission.name);
  if (requested.length === 0) return target.type.permissions.filter((permission) => permission.isDefault).map((permission) => permission.name);
  const unknown = [...new Set(requested.filter((name) => !names.includes(name)))].sort();
  if (unknown.length > 0) errors.add('grant.permissions', 'invalid', `The entity type ${target.type.name} has no permission ${unknown.map((name) => JSON.stringify(name)).join(', ')}.`);
  return names.filter((name) => requested.includes(name));
}

/**
 * POST|PUT /api/entity/{id}/grant: creates the recipient's grant on `target`, or replaces its permissions
 * and data (the id and insert instant stay). The recipient, a user or an entity, must be in the target's
 * tenant (`[invalid]grant.userId`, `[invalid]grant.recipientEntityId`); `[missing]grant` without a grant
 * object, `[invalid]grant` when it names no recipient.
 */
export async function upsertGrant(repositories: Repositories, target: Entity, body: unknown, now: number): Promise<EntityGrant> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.field('grant', 'missing', 'The request needs a grant object.');
  const input = validateSchema(body);
  const recipient = grantRecipient(input);
  const errors = new FieldErrors();
  if (recipient === undefined) errors.add('grant', 'invalid', 'The grant needs a userId or a recipientEntityId.');
  else if ('userId' in recipient) {
    const user = await repositories.users.find(recipient.userId);
    if (user === undefined || user.tenantId !== target.tenantId) errors.add('grant.userId', 'invalid', "No user of the entity's tenant has this id.");
  } else {
    const entity = await repositories.entities.find(recipient.recipientEntityId);
    if (entity === undefined || entity.tenantId !== target.tenantId) errors.add('grant.recipientEntityId', 'invalid', "No entity of the target entity's tenant has this id.");
  }
  const permissions = grantedPermissions(target, input.permissions, errors);
  errors.throwIfAny();
  return repositories.entityGrants.upsert({
    id: randomUUID(),
    targetEntityId: target.id,
    recipientEntityId: recipient !== undefined && 'recipientEntityId' in recipient ? recipient.recipientEntityId : undefined,
    userId: recipient !== undefined && 'userId' in recipient ? recipient.userId : undefined,
    permissions,
    data: input.data,
    insertInstant: now,
    lastUpdateInstant: now,
  });
}

/**
 * The grant `recipientEntityId` holds on `targetEntityId`, for the client credentials grant: one lookup on
 * a unique index. Undefined when there is none; its `permissions` are what the recipient may request.
 */
export function findGrant(repositories: Pick<Repositories, 'entityGrants'>, targetEntityId: string, recipientEntityId: string): Promise<EntityGrant | undefined> {
  return repositories.entityGrants.find(targetEntityId.toLowerCase(), { recipientEntityId: recipientEntityId.toLowerCase() });
}
