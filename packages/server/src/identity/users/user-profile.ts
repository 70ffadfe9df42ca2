/**
 * The descriptive part of a FusionAuth user: everything that is neither a login id nor a credential nor
 * a state flag. Stored as one JSON document (users.data); every field optional except `data`.
 */
export interface UserProfile {
  readonly firstName?: string;
  readonly middleName?: string;
  readonly lastName?: string;
  readonly fullName?: string;
  /** YYYY-MM-DD. */
  readonly birthDate?: string;
  readonly imageUrl?: string;
  readonly mobilePhone?: string;
  readonly phoneNumber?: string;
  readonly parentEmail?: string;
  readonly preferredLanguages?: readonly string[];
  /** An IANA time zone name. */
  readonly timezone?: string;
  /** Why a password change is required: Administrative, Breached, Expired or Validation. */
  readonly passwordChangeReason?: string;
  /** The free-form object integrators keep on the user. */
  readonly data: Readonly<Record<string, unknown>>;
}

export const profileFields = [
  'firstName', 'middleName', 'lastName', 'fullName', 'birthDate', 'imageUrl', 'mobilePhone', 'phoneNumber',
  'parentEmail', 'preferredLanguages', 'timezone', 'passwordChangeReason', 'data',
] as const;
