import { randomUUID } from 'node:crypto';
import { FieldErrors } from '../../errors/api-error.ts';
import { duplicateFieldError } from '../../errors/duplicate-field.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { UserAction } from '../../store/repositories/user-action-repository.ts';
import { mergePatch } from '../../validation/merge-patch.ts';
import { createValidator } from '../../validation/validator.ts';
import { userActionSchema, type UserActionInput } from './user-action-schema.ts';

const validateSchema = createValidator<UserActionInput>(userActionSchema, 'userAction');

const duplicateField = duplicateFieldError({
  user_actions_pkey: ['userAction.id', 'A user action with this id already exists.'],
  user_actions_name_key: ['userAction.name', 'A user action with this name already exists.'],
});

/** Checks a `userAction` body: the schema, then the rules it cannot say. Names are trimmed. */
export function validateUserAction(body: unknown): UserActionInput {
  const input = validateSchema(body);
  const errors = new FieldErrors();
  const name = input.name.trim();
  if (name === '') errors.add('userAction.name', 'blank', 'The user action needs a name.');
  // FusionAuth: "When this value is set to true the action must also be marked as a time based action."
  if (input.preventLogin && !input.temporal) errors.add('userAction.preventLogin', 'invalid', 'An action that prevents login must be time based: set temporal to true.');
  const options = input.options.map((option) => ({ ...option, name: option.name.trim() }));
  if (options.some((option) => option.name === '')) errors.add('userAction.options.name', 'blank', 'Every option needs a name.');
  if (new Set(options.map((option) => option.name)).size !== options.length) errors.add('userAction.options.name', 'duplicate', 'Two options have the same name.');
  errors.throwIfAny();
  return { ...input, name, options };
}

function toAction(id: string, input: UserActionInput, active: boolean, insertInstant: number, now: number): UserAction {
  const { name, preventLogin, temporal, ...settings } = input;
  return { id, name, active, preventLogin, temporal, settings, insertInstant, lastUpdateInstant: now };
}

/** POST /api/user-action[/{id}]: a new, active action; the URL's id wins, else a random one. */
export async function createUserAction(repositories: Repositories, id: string | undefined, body: unknown, now: number): Promise<UserAction> {
  const action = toAction(id ?? randomUUID(), validateUserAction(body), true, now, now);
  await repositories.userActions.insert(action).catch(duplicateField);
  return action;
}

/** PUT replaces every setting (omitted ones return to their defaults); PATCH merges (RFC 7396) first. The state does not change. */
export async function updateUserAction(
  repositories: Repositories,
  request: { readonly id: string; readonly body: unknown; readonly mode: 'replace' | 'merge' },
  now: number,
): Promise<UserAction | undefined> {
  const existing = await repositories.userActions.find(request.id);
  if (existing === undefined) return undefined;
  const current = { name: existing.name, preventLogin: existing.preventLogin, temporal: existing.temporal, ...existing.settings };
  const input = validateUserAction(request.mode === 'merge' ? mergePatch(current, request.body) : request.body);
  const action = toAction(existing.id, input, existing.active, existing.insertInstant, now);
  return (await repositories.userActions.update(action).catch(duplicateField)) ? action : undefined;
}

/** Deactivate (FusionAuth's soft delete: the action can no longer be taken) or reactivate. */
export async function setUserActionActive(repositories: Repositories, id: string, active: boolean, now: number): Promise<UserAction | undefined> {
  const existing = await repositories.userActions.find(id);
  if (existing === undefined) return undefined;
  await repositories.userActions.setActive(id, active, now);
  return { ...existing, active, lastUpdateInstant: now };
}
