import { effectiveJwtConfiguration } from '../../identity/login/token-settings.ts';
import type { IssuedRefreshToken } from '../../identity/refresh-tokens.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { issueAccessToken, type IssuedAccessToken } from './access-token.ts';
import { signIdToken } from './id-token.ts';

/** Everything the tokens of one grant are made from. */
export interface GrantTokenContext {
  readonly tenant: Tenant;
  readonly application: Application;
  readonly user: User;
  /** The user's registration to the application; its roles go into the access token. */
  readonly registration: Registration | undefined;
  readonly grant: OAuthGrant;
  /** The scopes of this issuance: the grant's, or fewer on a narrowed refresh. */
  readonly scopes: readonly string[];
  readonly issuer: string;
  readonly now: number;
  readonly nonce?: string | undefined;
  /** The code an ID token is returned beside (c_hash). */
  readonly code?: string | undefined;
  /** Whether the ID token travels beside the access token in a front-channel response (at_hash). */
  readonly idTokenHashesAccessToken?: boolean;
}

export interface GrantTokens {
  readonly accessToken: IssuedAccessToken;
  readonly idToken: string | undefined;
  readonly expiresIn: number;
}

/**
 * The access token (FusionAuth's claims, `sid` = the grant id, which is also its refresh token's id) and,
 * when `openid` was granted, the ID token; each signed with the key the application or tenant assigns.
 */
export async function issueGrantTokens(signingKeys: SigningKeys, context: GrantTokenContext): Promise<GrantTokens> {
  const jwt = effectiveJwtConfiguration(context.tenant, context.application);
  const { user, grant } = context;
  const accessToken = await issueAccessToken(
    await signingKeys.signerFor(jwt.keyId),
    {
      userId: user.id,
      tenantId: user.tenantId,
      email: user.email,
      emailVerified: user.verified,
      username: user.username,
      applicationId: context.application.id,
      registration: context.registration === undefined ? undefined : { applicationId: context.registration.applicationId, roles: context.registration.roles },
    },
    {
      issuer: context.issuer,
      timeToLiveInSeconds: jwt.timeToLiveInSeconds,
      authenticationType: grant.authenticationType,
      authTime: Math.floor(grant.authenticatedInstant / 1000),
      sessionId: grant.id,
      scope: context.scopes.join(' '),
      clientId: context.application.id,
      now: context.now,
    },
  );
  const idToken = context.scopes.includes('openid')
    ? signIdToken(await signingKeys.signerFor(jwt.idTokenKeyId ?? jwt.keyId), {
        issuer: context.issuer,
        clientId: context.application.id,
        tenantId: user.tenantId,
        user,
        scopes: context.scopes,
        authenticatedInstant: grant.authenticatedInstant,
        authenticationType: grant.authenticationType,
        sessionId: grant.sessionId,
        nonce: context.nonce,
        accessToken: context.idTokenHashesAccessToken === true ? accessToken.token : undefined,
        code: context.code,
        timeToLiveInSeconds: jwt.timeToLiveInSeconds,
        now: context.now,
      })
    : undefined;
  return { accessToken, idToken, expiresIn: jwt.timeToLiveInSeconds };
}

/** The token endpoint's success body (RFC 6749 §5.1 plus FusionAuth's `userId` and `refresh_token_id`). */
export function tokenResponseBody(tokens: GrantTokens, context: Pick<GrantTokenContext, 'user' | 'scopes'>, refreshToken: IssuedRefreshToken | undefined) {
  return {
    access_token: tokens.accessToken.token,
    expires_in: tokens.expiresIn,
    ...(tokens.idToken === undefined ? {} : { id_token: tokens.idToken }),
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken.value, refresh_token_id: refreshToken.record.id }),
    scope: context.scopes.join(' '),
    token_type: 'Bearer',
    userId: context.user.id,
  };
}
