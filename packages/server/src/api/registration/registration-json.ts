import type { Registration } from '../../store/repositories/registration-repository.ts';

/** FusionAuth's `registration` object. */
export function registrationJson(registration: Registration) {
  const { preferredLanguages, timezone, ...data } = registration.data as { preferredLanguages?: unknown; timezone?: unknown };
  return {
    id: registration.id,
    applicationId: registration.applicationId,
    roles: [...registration.roles],
    ...(registration.username === undefined ? {} : { username: registration.username, usernameStatus: 'ACTIVE' }),
    ...(preferredLanguages === undefined ? {} : { preferredLanguages }),
    ...(timezone === undefined ? {} : { timezone }),
    data,
    verified: registration.verified,
    ...(registration.lastLoginInstant === undefined ? {} : { lastLoginInstant: registration.lastLoginInstant }),
    insertInstant: registration.insertInstant,
    lastUpdateInstant: registration.lastUpdateInstant,
  };
}

export const registrationParams = {
  type: 'object',
  required: ['userId', 'applicationId'],
  properties: { userId: { type: 'string', format: 'uuid' }, applicationId: { type: 'string', format: 'uuid' } },
} as const;
