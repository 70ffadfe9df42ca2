import { OAuthError } from '../../errors/oauth-error.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';

/** The user behind a grant, with their registration to the grant's application (its roles go into the access token). */
export interface GrantSubject {
  readonly user: User;
  readonly registration: Registration | undefined;
}

/**
 * The user a grant belongs to, if they may still receive tokens (CODE-07, RT-06): a deleted or
 * deactivated user is `user_not_found` (one answer for both), an expired one `user_expired`.
 */
export async function grantSubject(repositories: Pick<Repositories, 'users'>, grant: Pick<OAuthGrant, 'userId' | 'applicationId'>, now: number): Promise<GrantSubject> {
  const found = await repositories.users.findWithRegistrations(grant.userId);
  if (found === undefined || !found.user.active) throw new OAuthError('invalid_grant', 'The user of this grant no longer exists or is deactivated.', 400, { reason: 'user_not_found' });
  if (found.user.expiry !== undefined && found.user.expiry <= now) throw new OAuthError('invalid_grant', 'The user of this grant has expired.', 400, { reason: 'user_expired' });
  return { user: found.user, registration: found.registrations.find((registration) => registration.applicationId === grant.applicationId) };
}
