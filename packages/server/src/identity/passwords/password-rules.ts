import type { TenantSettings } from '../../tenancy/tenant-settings.ts';

export type PasswordRules = Pick<TenantSettings['passwordValidationRules'], 'minLength' | 'maxLength' | 'requireMixedCase' | 'requireNonAlpha' | 'requireNumber'>;

/** One broken rule: `reason` is FusionAuth's code reason (`[tooShort]user.password`, `[onlyAlpha]...`). */
export interface PasswordRuleViolation {
  readonly reason: 'tooShort' | 'tooLong' | 'singleCase' | 'onlyAlpha' | 'requireNumber';
  readonly message: string;
}

/**
 * Every rule of the tenant's passwordValidationRules that `password` breaks, in FusionAuth's order.
 * Length counts code points, so an emoji is one character, as a user would count it.
 */
export function passwordRuleViolations(password: string, rules: PasswordRules): PasswordRuleViolation[] {
  const violations: PasswordRuleViolation[] = [];
  const length = [...password].length;
  if (length < rules.minLength) violations.push({ reason: 'tooShort', message: `The password must be at least ${rules.minLength} characters long.` });
  if (length > rules.maxLength) violations.push({ reason: 'tooLong', message: `The password must be at most ${rules.maxLength} characters long.` });
  if (rules.requireMixedCase && !(/\p{Ll}/u.test(password) && /\p{Lu}/u.test(password))) {
    violations.push({ reason: 'singleCase', message: 'The password must contain at least one upper case and one lower case letter.' });
  }
  if (rules.requireNonAlpha && !/\P{L}/u.test(password)) {
    violations.push({ reason: 'onlyAlpha', message: 'The password must contain at least one character that is not a letter.' });
  }
  if (rules.requireNumber && !/\p{Nd}/u.test(password)) {
    violations.push({ reason: 'requireNumber', message: 'The password must contain at least one number.' });
  }
  return violations;
}
