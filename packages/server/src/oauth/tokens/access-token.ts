import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { signCompactJws } from './compact-jws.ts';
import type { ActiveSigningKey } from '../../keys/signing-keys.ts';

/** Who the token is about, as FusionAuth's access-token claims describe them (reference §1.10). */
export interface AccessTokenSubject {
  readonly userId: string;
  readonly tenantId: string;
  readonly email?: string | undefined;
  readonly emailVerified: boolean;
  readonly username?: string | undefined;
  /** Present when the token is for an application the user is registered to. */
  readonly registration?: { readonly applicationId: string; readonly roles: readonly string[] } | undefined;
  /** The application the token is for even without a registration (aud). */
  readonly applicationId?: string | undefined;
}

export interface AccessTokenOptions {
  readonly issuer: string;
  readonly timeToLiveInSeconds: number;
  readonly authenticationType: string;
  /** When the user authenticated (epoch seconds); unchanged across refreshes. */
  readonly authTime: number;
  /** The refresh token id, stable across one-time-use rotation (FusionAuth's `sid`). */
  readonly sessionId?: string | undefined;
  readonly scope?: string | undefined;
  /** The OAuth client the token was issued to (RFC 9068 `client_id`); the Login API names none. */
  readonly clientId?: string | undefined;
  readonly now: number;
}

export interface IssuedAccessToken {
  readonly token: string;
  /** Epoch millis, as the Login API reports it. */
  readonly expirationInstant: number;
  readonly claims: JWTPayload;
}

/** Signs a FusionAuth-shaped access token (header typ JWT, kid) with the given key. */
export async function issueAccessToken(key: ActiveSigningKey, subject: AccessTokenSubject, options: AccessTokenOptions): Promise<IssuedAccessToken> {
  const iat = Math.floor(options.now / 1000);
  const exp = iat + options.timeToLiveInSeconds;
  const audience = subject.registration?.applicationId ?? subject.applicationId;
  const claims: JWTPayload = {
    ...(audience === undefined ? {} : { aud: audience }),
    exp,
    iat,
    iss: options.issuer,
    sub: subject.userId,
    jti: randomUUID(),
    authenticationType: options.authenticationType,
    ...(subject.email === undefined ? {} : { email: subject.email, email_verified: subject.emailVerified }),
    ...(subject.username === undefined ? {} : { preferred_username: subject.username }),
    ...(subject.registration === undefined ? {} : { applicationId: subject.registration.applicationId, roles: [...subject.registration.roles] }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(options.clientId === undefined ? {} : { client_id: options.clientId }),
    ...(options.sessionId === undefined ? {} : { sid: options.sessionId }),
    auth_time: options.authTime,
    tid: subject.tenantId,
  };
  const token = signCompactJws(key, { typ: 'JWT' }, claims);
  return { token, expirationInstant: exp * 1000, claims };
}
