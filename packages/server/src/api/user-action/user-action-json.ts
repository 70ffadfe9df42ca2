import type { UserAction } from '../../store/repositories/user-action-repository.ts';

/** FusionAuth's `userAction` object. */
export function userActionJson(action: UserAction) {
  return {
    id: action.id,
    name: action.name,
    active: action.active,
    preventLogin: action.preventLogin,
    temporal: action.temporal,
    ...action.settings,
    insertInstant: action.insertInstant,
    lastUpdateInstant: action.lastUpdateInstant,
  };
}

export const userActionIdParams = { type: 'object', required: ['userActionId'], properties: { userActionId: { type: 'string', format: 'uuid' } } } as const;

/** The route-level body check: the wrapper only; the object itself is validated by the domain. */
export const userActionBody = { type: 'object', required: ['userAction'], properties: { userAction: { type: 'object' } } } as const;
