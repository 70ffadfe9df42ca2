import { randomUUID } from 'node:crypto';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { SsoSession } from '../../store/repositories/sso-session-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { Store } from '../../store/store.ts';
import { generateAuthorizationCode, hashAuthorizationCode } from '../tokens/authorization-code-value.ts';
import { issueGrantTokens } from '../tokens/grant-tokens.ts';
import type { AuthorizationRequest } from './authorization-request.ts';
import type { ResponseParameters } from './authorization-response.ts';

export interface Authorized {
  readonly request: AuthorizationRequest;
  readonly session: SsoSession;
  readonly user: User;
  readonly registration: Registration | undefined;
  /** The scopes the user granted (all requested ones, unless a consent left some out). */
  readonly scopes: readonly string[];
}

/** The authorization code's lifetime: the tenant's authorizationGrantIdTimeToLiveInSeconds (FusionAuth default 30 s, AUTHZ-18). */
function codeTimeToLiveMillis(request: AuthorizationRequest): number {
  return (request.tenant.settings.externalIdentifierConfiguration['authorizationGrantIdTimeToLiveInSeconds'] ?? 30) * 1000;
}

function newGrant(authorized: Authorized, grantType: 'authorization_code' | 'implicit', now: number): OAuthGrant {
  const { request, session, user } = authorized;
  return {
    id: randomUUID(),
    tenantId: request.tenant.id,
    userId: user.id,
    applicationId: request.application.id,
    sessionId: session.id,
    grantType,
    scopes: [...authorized.scopes],
    authenticationType: session.authenticationType,
    authenticatedInstant: session.authenticatedInstant,
    insertInstant: now,
    revokedInstant: undefined,
  };
}

/** FusionAuth's `userState` hint (not for security decisions): whether the user is registered to the application. */
function userState(authorized: Authorized): string {
  return authorized.registration === undefined ? 'AuthenticatedNotRegistered' : 'Authenticated';
}

/**
 * The success response's parameters. For `code`: a grant and its code, in one statement; the code is
 * 256 random bits and only its SHA-256 is stored, with what the token request must repeat (redirect URI,
 * PKCE challenge) and the nonce for the ID token. For the implicit types: a grant and its tokens, no
 * refresh token (RFC 6749 §4.2.2); the ID token's at_hash covers the access token returned beside it.
 */
export async function issueAuthorization(deps: { readonly store: Store; readonly signingKeys: SigningKeys }, authorized: Authorized, now: number): Promise<ResponseParameters> {
  const { request } = authorized;
  if (request.responseType === 'code') {
    const grant = newGrant(authorized, 'authorization_code', now);
    const code = generateAuthorizationCode();
    await deps.store.repositories.tokenExchange.insertGrantWithCode(grant, {
      codeHash: hashAuthorizationCode(code),
      grantId: grant.id,
      redirectUri: request.redirectUri,
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      expirationInstant: now + codeTimeToLiveMillis(request),
      consumedInstant: undefined,
    });
    return [
      ['code', code],
      ['userState', userState(authorized)],
    ];
  }

  const grant = newGrant(authorized, 'implicit', now);
  await deps.store.repositories.oauthGrants.insert(grant);
  const returnsAccessToken = request.responseType !== 'id_token';
  const returnsIdToken = request.responseType !== 'token';
  const tokens = await issueGrantTokens(deps.signingKeys, {
    tenant: request.tenant,
    application: request.application,
    user: authorized.user,
    registration: authorized.registration,
    grant,
    scopes: authorized.scopes,
    issuer: request.target.issuer,
    now,
    nonce: request.nonce,
    idTokenHashesAccessToken: returnsAccessToken && returnsIdToken,
  });
  const parameters: Array<readonly [string, string]> = [];
  if (returnsAccessToken) parameters.push(['access_token', tokens.accessToken.token], ['token_type', 'Bearer'], ['expires_in', String(tokens.expiresIn)]);
  if (returnsIdToken && tokens.idToken !== undefined) parameters.push(['id_token', tokens.idToken]);
  parameters.push(['scope', authorized.scopes.join(' ')], ['userState', userState(authorized)]);
  return parameters;
}
