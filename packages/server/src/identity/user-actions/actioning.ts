import { randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../../errors/api-error.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { UserAction, UserActionLog } from '../../store/repositories/user-action-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { createValidator } from '../../validation/validator.ts';

/**
 * The Actioning Users API (FusionAuth's /api/user/action): taking a user action on a user, and changing
 * or canceling a temporal one while it is active. Codes follow FusionAuth's: `[missing]` for an absent
 * id, `[invalid]` for one that names nothing, `[inPast]action.expiry`, `[disabled]action.notifyUser`.
 */

const uuid = { type: 'string', format: 'uuid' } as const;

const actionDataSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    actioneeUserId: uuid,
    actionerUserId: uuid,
    userActionId: uuid,
    applicationIds: { type: 'array', maxItems: 100, items: uuid },
    comment: { type: 'string', maxLength: 10_000 },
    emailUser: { type: 'boolean', default: false },
    notifyUser: { type: 'boolean', default: false },
    expiry: { type: 'integer' },
    option: { type: 'string', maxLength: 191 },
    reasonId: uuid,
  },
} as const;

interface ActionData {
  readonly actioneeUserId?: string;
  readonly actionerUserId?: string;
  readonly userActionId?: string;
  readonly applicationIds?: readonly string[];
  readonly comment?: string;
  readonly emailUser: boolean;
  readonly notifyUser: boolean;
  readonly expiry?: number;
  readonly option?: string;
  readonly reasonId?: string;
}

const validateSchema = createValidator<ActionData>(actionDataSchema, 'action');

/** The request wrapper: `{"action": {...}, "broadcast"?: bool}` (broadcast is read and ignored: no webhooks yet). */
export interface ActionRequest {
  readonly action?: unknown;
}

function validateActionData(request: ActionRequest | null | undefined): ActionData {
  const body = request?.action;
  if (body === undefined || body === null) throw ApiError.field('action', 'missing', 'The request needs an action object.');
  return validateSchema(body);
}

/** The user, when it exists and the tenant scope may see it: another tenant's user answers like a missing one. */
async function visibleUser(repositories: Repositories, id: string, scope: string | undefined): Promise<User | undefined> {
  const user = await repositories.users.find(id.toLowerCase());
  return user === undefined || (scope !== undefined && user.tenantId !== scope) ? undefined : user;
}

/** FusionAuth's Localizer: the first of the user's preferred languages with a text (exact, then the language alone), else the default. */
export function localize(preferredLanguages: readonly string[] | undefined, texts: Readonly<Record<string, string>> | undefined, fallback: string | undefined): string | undefined {
  if (texts === undefined || fallback === undefined) return fallback;
  for (const locale of preferredLanguages ?? []) {
    for (const key of [locale, locale.split(/[-_]/)[0]!]) if (Object.hasOwn(texts, key)) return texts[key];
  }
  return fallback;
}

/** The checks every write shares: notifications must be enabled on the action, and Gatehouse sends no email. */
function checkNotifications(data: ActionData, action: UserAction | undefined, errors: FieldErrors): void {
  if (action !== undefined && data.notifyUser && !action.settings.userNotificationsEnabled) {
    errors.add('action.notifyUser', 'disabled', 'This user action does not have user notifications enabled.');
  }
  if (data.emailUser) errors.add('action.emailUser', 'emailingNotSupported', 'Gatehouse does not send email: emailUser must be false.');
}

/** POST /api/user/action: takes `userActionId` on `actioneeUserId`. All checks are reported together. */
export async function takeAction(repositories: Repositories, request: ActionRequest, scope: string | undefined, now: number): Promise<UserActionLog> {
  const data = validateActionData(request);
  const errors = new FieldErrors();
  if (data.userActionId === undefined) errors.add('action.userActionId', 'missing', 'You must specify the [action.userActionId] property.');
  if (data.actionerUserId === undefined) errors.add('action.actionerUserId', 'missing', 'You must specify the [action.actionerUserId] property.');
  if (data.actioneeUserId === undefined) errors.add('action.actioneeUserId', 'missing', 'You must specify the [action.actioneeUserId] property.');
  if (data.reasonId !== undefined) errors.add('action.reasonId', 'invalid', `No user action reason has the id ${data.reasonId}.`);

  const actioner = data.actionerUserId === undefined ? undefined : await visibleUser(repositories, data.actionerUserId, scope);
  if (data.actionerUserId !== undefined && actioner === undefined) errors.add('action.actionerUserId', 'invalid', `No user has the id ${data.actionerUserId}.`);
  const actionee = data.actioneeUserId === undefined ? undefined : await visibleUser(repositories, data.actioneeUserId, scope);
  if (data.actioneeUserId !== undefined && actionee === undefined) errors.add('action.actioneeUserId', 'invalid', `No user has the id ${data.actioneeUserId}.`);
  const applicationIds = [...new Set((data.applicationIds ?? []).map((id) => id.toLowerCase()))];
  for (const id of applicationIds) {
    const application = await repositories.applications.find(id);
    if (application === undefined || (actionee !== undefined && application.tenantId !== actionee.tenantId)) {
      errors.add('action.applicationIds', 'invalid', `No application of the user's tenant has the id ${id}.`);
    }
  }

  const action = data.userActionId === undefined ? undefined : await repositories.userActions.find(data.userActionId.toLowerCase());
  if (data.userActionId !== undefined && (action === undefined || !action.active)) errors.add('action.userActionId', 'invalid', `No active user action has the id ${data.userActionId}.`);
  const option = action === undefined || data.option === undefined ? undefined : action.settings.options.find((candidate) => candidate.name === data.option);
  if (action !== undefined) {
    if (data.option !== undefined && option === undefined) errors.add('action.option', 'invalid', `The user action has no option named ${data.option}.`);
    if (data.option === undefined && !action.temporal && action.settings.options.length > 0) errors.add('action.option', 'blank', 'This user action needs one of its options.');
    if (action.temporal && data.expiry === undefined) errors.add('action.expiry', 'missing', 'A time-based user action needs an expiry (9223372036854775807 for no end).');
    if (action.temporal && data.expiry !== undefined && data.expiry <= now) errors.add('action.expiry', 'inPast', 'The expiry must be in the future.');
    if (!action.temporal && data.expiry !== undefined) errors.add('action.expiry', 'notAllowed', 'An instantaneous (not time-based) user action takes no expiry.');
  }
  checkNotifications(data, action, errors);
  errors.throwIfAny();
  if (action === undefined || actionee === undefined || actioner === undefined) throw new Error('unreachable: validated above');

  // One active log per user and action, as FusionAuth: the user's row lock orders concurrent takes.
  await repositories.userActions.lockActionee(actionee.id);
  if (action.temporal && (await repositories.userActions.findActiveLog(actionee.id, action.id, now)) !== undefined) {
    throw ApiError.field('action.userActionId', 'duplicate', 'The user is already in this action: modify or cancel it instead.');
  }
  const languages = actionee.profile.preferredLanguages;
  const log: UserActionLog = {
    id: randomUUID(),
    userActionId: action.id,
    actioneeUserId: actionee.id,
    actionerUserId: actioner.id,
    applicationIds,
    comment: data.comment,
    expiry: action.temporal ? data.expiry : undefined,
    name: action.name,
    localizedName: localize(languages, action.settings.localizedNames, action.name),
    option: option?.name,
    localizedOption: localize(languages, option?.localizedNames, option?.name),
    emailUserOnEnd: data.emailUser,
    notifyUserOnEnd: data.notifyUser,
    endEventSent: action.temporal && action.settings.sendEndEvent ? false : undefined,
    history: [],
    createInstant: now,
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.userActions.insertLog(log);
  if (action.preventLogin) {
    const tenant = await repositories.tenants.find(actionee.tenantId);
    if (tenant?.settings.jwtConfiguration.refreshTokenRevocationPolicy.onLoginPrevented === true) await repositories.refreshTokens.delete({ userId: actionee.id });
  }
  return log;
}

/**
 * PUT (modify: a new expiry and comment) and DELETE (cancel: the action ends now) of a taken action.
 * Only an active temporal action can change; anything else is 404, as FusionAuth answers. The state
 * before the change joins the history.
 */
export async function changeAction(
  repositories: Repositories,
  change: { readonly actionId: string; readonly request: ActionRequest; readonly mode: 'modify' | 'cancel' },
  scope: string | undefined,
  now: number,
): Promise<UserActionLog | undefined> {
  const data = validateActionData(change.request);
  const log = await repositories.userActions.findLog(change.actionId.toLowerCase(), { forUpdate: true });
  if (log === undefined || log.expiry === undefined || log.expiry <= now) return undefined;
  if ((await visibleUser(repositories, log.actioneeUserId, scope)) === undefined) return undefined;

  const errors = new FieldErrors();
  const actioner = data.actionerUserId === undefined ? undefined : await visibleUser(repositories, data.actionerUserId, scope);
  if (data.actionerUserId === undefined) errors.add('action.actionerUserId', 'missing', 'You must specify the [action.actionerUserId] property.');
  else if (actioner === undefined) errors.add('action.actionerUserId', 'invalid', `No user has the id ${data.actionerUserId}.`);
  if (change.mode === 'modify' && data.expiry === undefined) errors.add('action.expiry', 'missing', 'You must specify the new [action.expiry].');
  if (change.mode === 'modify' && data.expiry !== undefined && data.expiry <= now) errors.add('action.expiry', 'inPast', 'The expiry must be in the future.');
  checkNotifications(data, await repositories.userActions.find(log.userActionId), errors);
  errors.throwIfAny();

  const changed: UserActionLog = {
    ...log,
    history: [...log.history, { actionerUserId: log.actionerUserId, comment: log.comment, createInstant: log.insertInstant, expiry: log.expiry }],
    actionerUserId: actioner?.id,
    comment: data.comment,
    expiry: change.mode === 'cancel' ? now : data.expiry,
    emailUserOnEnd: data.emailUser,
    notifyUserOnEnd: data.notifyUser,
    insertInstant: now,
    lastUpdateInstant: now,
  };
  await repositories.userActions.updateLog(changed);
  return changed;
}
