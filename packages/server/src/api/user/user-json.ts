import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { registrationJson } from '../registration/registration-json.ts';

/**
 * FusionAuth's `user` object: the one place a user becomes JSON, so registrations (and later memberships)
 * are added here. Never the password, its hash, salt or scheme: they are write-only.
 */
export function userJson(user: User, registrations: readonly Registration[] = []) {
  const { data, ...profile } = user.profile;
  return {
    id: user.id,
    tenantId: user.tenantId,
    ...(user.email === undefined ? {} : { email: user.email }),
    ...(user.username === undefined ? {} : { username: user.username, uniqueUsername: user.username }),
    ...profile,
    active: user.active,
    verified: user.verified,
    ...(user.verifiedInstant === undefined ? {} : { verifiedInstant: user.verifiedInstant }),
    passwordChangeRequired: user.passwordChangeRequired,
    ...(user.passwordLastUpdateInstant === undefined ? {} : { passwordLastUpdateInstant: user.passwordLastUpdateInstant }),
    ...(user.expiry === undefined ? {} : { expiry: user.expiry }),
    ...(user.lastLoginInstant === undefined ? {} : { lastLoginInstant: user.lastLoginInstant }),
    usernameStatus: 'ACTIVE',
    data,
    registrations: registrations.map(registrationJson),
    memberships: [],
    twoFactor: { methods: [] },
    insertInstant: user.insertInstant,
    lastUpdateInstant: user.lastUpdateInstant,
  };
}

export const userIdParams = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string', format: 'uuid' } },
} as const;

/** The route-level body check: the `user` wrapper only; the user itself is validated by the domain. */
export const userBody = { type: 'object', required: ['user'], properties: { user: { type: 'object' } } } as const;
