/**
 * Redeems an upstream authorization code (RFC 6749 §4.1.3, OIDC Core §3.1.3) and resolves who signed in:
 * the ID token is validated with the upstream's own keys (upstream-id-token.ts), userinfo is read when the
 * upstream has the endpoint (its `sub` must be the ID token's, OIDC Core §5.3.2; its claims win, as in
 * FusionAuth), and the provider's claim names pick the unique id, email, email_verified and username.
 * Every token the upstream returned is handed back for the link (sealed there, never logged).
 */
import type { JWTPayload } from 'jose';
import type { UpstreamIdentity } from './linking-strategy.ts';
import { FederationError } from './federation-error.ts';
import type { UpstreamClient, UpstreamEndpoints } from './upstream-client.ts';
import type { UpstreamHttp } from './upstream-http.ts';
import { UpstreamTokenError, validateUpstreamIdToken } from './upstream-id-token.ts';
import type { UpstreamKeys } from './upstream-keys.ts';
import { requestTokens, upstreamCall, type UpstreamTokens } from './upstream-token-request.ts';

export type { UpstreamTokens } from './upstream-token-request.ts';

export interface UpstreamSignIn {
  readonly identity: UpstreamIdentity;
  /** The resolved claims: the ID token's, overlaid with userinfo's. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly tokens: UpstreamTokens;
}

export interface CodeRedemption {
  readonly code: string;
  readonly redirectUri: string;
  readonly codeVerifier: string | undefined;
  /** The nonce sent, when Gatehouse sent the authorization request. */
  readonly nonce: string | undefined;
}

export interface UpstreamConnection {
  readonly http: UpstreamHttp;
  readonly keys: UpstreamKeys;
  readonly now: () => number;
}

export async function redeemUpstreamCode(connection: UpstreamConnection, client: UpstreamClient, endpoints: UpstreamEndpoints, redemption: CodeRedemption): Promise<UpstreamSignIn> {
  const form: Record<string, string> = { grant_type: 'authorization_code', code: redemption.code, redirect_uri: redemption.redirectUri };
  if (redemption.codeVerifier !== undefined) form['code_verifier'] = redemption.codeVerifier;
  const tokens = await requestTokens(connection, client, endpoints.token, form);

  let claims: Record<string, unknown> = {};
  if (tokens.idToken !== undefined && client.issuer !== undefined && endpoints.jwksUri !== undefined) {
    claims = { ...(await validatedIdToken(connection, client, endpoints.jwksUri, tokens.idToken, redemption.nonce)) };
  } else if (endpoints.userinfo === undefined || tokens.accessToken === undefined) {
    throw new FederationError('invalid_response', 'The upstream returned neither a verifiable ID token nor a way to read userinfo.');
  }
  if (endpoints.userinfo !== undefined && tokens.accessToken !== undefined) {
    const userinfo = await readUserinfo(connection.http, endpoints.userinfo, tokens.accessToken);
    if (claims['sub'] !== undefined && userinfo['sub'] !== claims['sub']) throw new FederationError('userinfo_mismatch', 'The userinfo response is about another user than the ID token.');
    claims = { ...claims, ...userinfo };
  }
  return { identity: upstreamIdentity(client, claims), claims, tokens };
}

async function validatedIdToken(connection: UpstreamConnection, client: UpstreamClient, jwksUri: string, idToken: string, nonce: string | undefined): Promise<JWTPayload> {
  try {
    return await validateUpstreamIdToken(idToken, {
      issuer: client.issuer!,
      alternativeIssuers: client.alternativeIssuers,
      clientId: client.clientId,
      nonce,
      keys: connection.keys.resolver(jwksUri),
      now: connection.now,
      multiTenant: client.multiTenant,
    });
  } catch (error) {
    if (error instanceof UpstreamTokenError) throw new FederationError('invalid_id_token', `The upstream's ID token was refused (${error.reason}).`, { cause: error });
    throw error;
  }
}

async function readUserinfo(http: UpstreamHttp, url: string, accessToken: string): Promise<Record<string, unknown>> {
  const { json } = await upstreamCall(() => http.getJson(url, { authorization: `Bearer ${accessToken}` }), 'userinfo endpoint');
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof (json as Record<string, unknown>)['sub'] !== 'string') {
    throw new FederationError('invalid_response', 'The upstream userinfo response is not a JSON object with a sub.');
  }
  return json as Record<string, unknown>;
}

/** The identity by the provider's claim names; without the unique id claim there is no identity. */
export function upstreamIdentity(client: Pick<UpstreamClient, 'claims'>, claims: Readonly<Record<string, unknown>>): UpstreamIdentity {
  const read = (name: string): string | undefined => {
    const value = claims[name];
    if (typeof value === 'string' && value.trim() !== '') return value;
    return typeof value === 'number' ? String(value) : undefined;
  };
  const identityProviderUserId = read(client.claims.uniqueId);
  if (identityProviderUserId === undefined) throw new FederationError('missing_unique_id', `The upstream did not send the ${client.claims.uniqueId} claim that identifies the user.`);
  const verified = claims[client.claims.emailVerified];
  const email = read(client.claims.email);
  const username = read(client.claims.username);
  return {
    identityProviderUserId,
    email,
    emailVerified: verified === true || verified === 'true' ? true : verified === false || verified === 'false' ? false : undefined,
    username,
    displayName: email ?? username ?? identityProviderUserId,
  };
}

/** User fields a new user takes from standard OIDC claims (OIDC Core §5.1). */
export function profileClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const pick: Readonly<Record<string, string>> = { name: 'fullName', given_name: 'firstName', family_name: 'lastName', middle_name: 'middleName', picture: 'imageUrl' };
  return Object.fromEntries(Object.entries(pick).flatMap(([claim, field]) => (typeof claims[claim] === 'string' && claims[claim] !== '' ? [[field, claims[claim]]] : [])));
}
