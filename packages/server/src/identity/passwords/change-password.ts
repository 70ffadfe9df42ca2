import type { FieldErrors } from '../../errors/api-error.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { clearLoginFailures } from '../login-lockout.ts';
import { passwordRuleViolations } from './password-rules.ts';
import type { StoredPassword } from './verify-password.ts';

/** The tenant's passwordValidationRules for a new password, as FusionAuth reports them: `[tooShort]password`... */
export function checkNewPassword(password: string, tenant: Tenant, errors: FieldErrors): void {
  for (const violation of passwordRuleViolations(password, tenant.settings.passwordValidationRules)) errors.add('password', violation.reason, violation.message);
}

export interface PasswordChange {
  /** The new password, already hashed (argon2id takes ~10 ms: never inside the transaction). */
  readonly password: StoredPassword;
  /**
   * The change completes a workflow that proved access to the user's email (a change-password id): with
   * the tenant's `implicitEmailVerificationAllowed`, an unverified email becomes verified.
   */
  readonly provesEmail: boolean;
}

/**
 * Stores a new password as FusionAuth's Change Password API does: the change-required flag clears, the
 * update instant is set, the failed-login count and any lock go (RATE-02), every outstanding change-password
 * id dies, and, under the tenant's `refreshTokenRevocationPolicy.onPasswordChanged` (default true), every
 * refresh token of the user is revoked so that sessions must log in again with the new password.
 */
export async function changePassword(repositories: Repositories, tenant: Tenant, user: User, change: PasswordChange, now: number): Promise<User> {
  const verifies = change.provesEmail && !user.verified && user.email !== undefined && tenant.settings.emailConfiguration.implicitEmailVerificationAllowed;
  const changed: User = {
    ...user,
    password: change.password,
    passwordChangeRequired: false,
    passwordLastUpdateInstant: now,
    lastUpdateInstant: now,
    ...(verifies ? { verified: true, verifiedInstant: user.verifiedInstant ?? now } : {}),
  };
  await repositories.users.update(changed);
  await clearLoginFailures(repositories, user.id);
  await repositories.oneTimeIds.deleteByUser(user.id, 'change-password');
  if (verifies) await repositories.oneTimeIds.deleteByUser(user.id, 'email-verification');
  if (tenant.settings.jwtConfiguration.refreshTokenRevocationPolicy.onPasswordChanged) await repositories.refreshTokens.delete({ userId: user.id });
  return changed;
}
