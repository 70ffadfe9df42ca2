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
 * Whether the user a grant belongs to may still receive tokens (CODE-07, RT-06): a deleted or
 * deactivated user is `user_not_found` (one answer for both), an expired one `user_expired`.
 */
export function checkedSubject(found: { readonly user: User | undefined; readonly registrations: readonly Registration[] } | undefined, applicationId: string, now: number): GrantSubject {
  const user = found?.user;
  if (user === undefined || !user.active) throw new OAuthError('invalid_grant', 'The user of this grant no longer exists or is deactivated.', 400, { reason: 'user_not_found' });
  if (user.expiry !== undefined && user.expiry <= now) throw new OAuthError('invalid_grant', 'The user of this grant has expired.', 400, { reason: 'user_expired' });
  return { user, registration: found!.registrations.find((registration) => registration.applicationId === applicationId) };
}

/** checkedSubject for a grant whose user is not loaded yet. */
export async function grantSubject(repositories: Pick<Repositories, 'users'>, grant: Pick<OAuthGrant, 'userId' | 'applicationId'>, now: number): Promise<GrantSubject> {
  return checkedSubject(await repositories.users.findWithRegistrations(grant.userId), grant.applicationId, now);
}
