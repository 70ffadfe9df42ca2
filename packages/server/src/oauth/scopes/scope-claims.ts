import type { User } from '../../store/repositories/user-repository.ts';

export type Claims = Record<string, unknown>;

function defined(claims: Claims): Claims {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

/**
 * The standard claims a user releases for the granted scopes (OIDC Core §5.4): the ID token and
 * UserInfo both use this, so they never disagree. Absent values are left out, not sent as null.
 */
export function claimsForScopes(user: User, scopes: readonly string[]): Claims {
  const claims: Claims = {};
  const { profile } = user;
  if (scopes.includes('profile')) {
    Object.assign(
      claims,
      defined({
        name: profile.fullName ?? ([profile.firstName, profile.middleName, profile.lastName].filter(Boolean).join(' ') || undefined),
        given_name: profile.firstName,
        middle_name: profile.middleName,
        family_name: profile.lastName,
        birthdate: profile.birthDate,
        picture: profile.imageUrl,
        preferred_username: user.username,
        zoneinfo: profile.timezone,
        locale: profile.preferredLanguages?.[0],
        updated_at: Math.floor(user.lastUpdateInstant / 1000),
      }),
    );
  }
  if (scopes.includes('email') && user.email !== undefined) Object.assign(claims, { email: user.email, email_verified: user.verified });
  if (scopes.includes('phone')) {
    const phone = profile.phoneNumber ?? profile.mobilePhone;
    if (phone !== undefined) Object.assign(claims, { phone_number: phone, phone_number_verified: false });
  }
  return claims;
}
