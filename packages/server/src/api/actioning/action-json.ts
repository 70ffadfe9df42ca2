import type { UserActionLog } from '../../store/repositories/user-action-repository.ts';

const defined = <T extends Record<string, unknown>>(object: T) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

/** FusionAuth's UserActionLog (`action` / `actions[]`); `history` only once the action was modified or canceled. */
export function actionJson(log: UserActionLog) {
  return defined({
    id: log.id,
    userActionId: log.userActionId,
    actioneeUserId: log.actioneeUserId,
    actionerUserId: log.actionerUserId,
    applicationIds: log.applicationIds,
    comment: log.comment,
    expiry: log.expiry,
    name: log.name,
    localizedName: log.localizedName,
    option: log.option,
    localizedOption: log.localizedOption,
    emailUserOnEnd: log.emailUserOnEnd,
    notifyUserOnEnd: log.notifyUserOnEnd,
    endEventSent: log.endEventSent,
    history: log.history.length === 0 ? undefined : { historyItems: log.history.map((item) => defined({ ...item })) },
    createInstant: log.createInstant,
    insertInstant: log.insertInstant,
    lastUpdateInstant: log.lastUpdateInstant,
  });
}

/** One entry of the Login API's 409 body `{"actions": [...]}` (FusionAuth's LoginPreventedResponse). */
export function loginPreventedJson(log: UserActionLog) {
  return defined({
    actionId: log.id,
    actionerUserId: log.actionerUserId,
    expiry: log.expiry,
    localizedName: log.localizedName,
    localizedOption: log.localizedOption,
    name: log.name,
    option: log.option,
  });
}

const uuid = { type: 'string', format: 'uuid' } as const;

export const actionIdParams = { type: 'object', required: ['actionId'], properties: { actionId: uuid } } as const;

/** `{"action": {...}, "broadcast"?}`; a missing `action` is the domain's `[missing]action`, as FusionAuth answers. */
export const actionBody = { type: ['object', 'null'], properties: { action: { type: 'object' }, broadcast: { type: 'boolean' } } } as const;
