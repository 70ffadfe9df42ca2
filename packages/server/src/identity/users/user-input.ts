import { FieldErrors } from '../../errors/api-error.ts';
import { passwordRuleViolations, type PasswordRules } from '../passwords/password-rules.ts';
import type { UserProfile } from './user-profile.ts';
import { profileFields } from './user-profile.ts';

/** The user fields every write path shares, after schema validation (see user-schema.ts). */
export interface UserFields {
  readonly email?: string;
  readonly username?: string;
  readonly password?: string;
  readonly passwordChangeRequired?: boolean;
  readonly verified?: boolean;
  readonly expiry?: number;
  readonly birthDate?: string;
  readonly timezone?: string;
}

// Deliberately loose: one @, no spaces, something on both sides. Deliverability is the mail server's call.
const emailShape = /^[^\s@]+@[^\s@]+$/;

/** An empty or blank login id means "none", as FusionAuth treats it. */
export function loginId(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function validDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function validTimezone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The checks a schema cannot express, collected into `errors` under `root` (`user`): a login id is
 * required, emails must look like emails, dates and time zones must exist, and a new plaintext password
 * must follow the tenant's rules (`rules` undefined: an import, where FusionAuth applies none).
 */
export function checkUserFields(fields: UserFields, errors: FieldErrors, root: string, rules: PasswordRules | undefined): void {
  const email = loginId(fields.email);
  const username = loginId(fields.username);
  if (email === undefined && username === undefined) {
    const message = `You must specify either the [${root}.email] or [${root}.username] property.`;
    errors.add(`${root}.email`, 'blank', message).add(`${root}.username`, 'blank', message);
  }
  if (email !== undefined && !emailShape.test(email)) errors.add(`${root}.email`, 'notEmail', `The [${root}.email] property is not a valid email address.`);
  if (fields.birthDate !== undefined && !validDate(fields.birthDate)) errors.add(`${root}.birthDate`, 'invalid', `The [${root}.birthDate] property is not a valid YYYY-MM-DD date.`);
  if (fields.timezone !== undefined && !validTimezone(fields.timezone)) errors.add(`${root}.timezone`, 'invalid', `The [${root}.timezone] property is not an IANA time zone.`);
  if (rules !== undefined && fields.password !== undefined && fields.password !== '') {
    for (const violation of passwordRuleViolations(fields.password, rules)) errors.add(`${root}.password`, violation.reason, violation.message);
  }
}

/** The profile part of validated user fields (see user-profile.ts). */
export function profileOf(fields: object): UserProfile {
  const values = fields as Readonly<Record<string, unknown>>;
  const profile: Record<string, unknown> = { data: {} };
  for (const name of profileFields) if (values[name] !== undefined) profile[name] = values[name];
  return profile as unknown as UserProfile;
}
