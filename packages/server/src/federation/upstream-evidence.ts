/**
 * What an application hands Gatehouse to complete a login it started at an upstream itself (FusionAuth's
 * "Complete the Login", seed 001's third-party mode; the Reconcile API of seed 002): an authorization
 * code with the redirect URI it was sent to (OpenIDConnect, Google), or a JWT the upstream issued
 * (ExternalJWT). Either way the result is the identity, its profile and the tokens to keep.
 */
import type { KeyRing } from '../keys/key-ring.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import { verifyExternalJwt } from './external-jwt.ts';
import type { UpstreamIdentity } from './linking-strategy.ts';
import { upstreamClient, upstreamEndpoints } from './upstream-client.ts';
import { profileClaims, redeemUpstreamCode, type UpstreamTokens } from './upstream-code-exchange.ts';
import type { Upstreams } from './upstreams.ts';

export interface UpstreamEvidence {
  /** OpenIDConnect/Google: `data.code`, `data.redirect_uri`, and the PKCE verifier and nonce when the application used them. */
  readonly code?: string | undefined;
  readonly redirectUri?: string | undefined;
  readonly codeVerifier?: string | undefined;
  readonly nonce?: string | undefined;
  /** ExternalJWT: the JWT, and a refresh token the application wants kept on the link (FusionAuth's `refresh_token`). */
  readonly encodedJWT?: string | undefined;
  readonly refreshToken?: string | undefined;
}

export interface VerifiedUpstreamLogin {
  readonly identity: UpstreamIdentity;
  readonly profile: Readonly<Record<string, unknown>>;
  readonly tokens: UpstreamTokens | undefined;
}

/** The members the provider's type needs that the evidence lacks, by their FusionAuth request names. */
export function missingEvidence(provider: IdentityProvider, evidence: UpstreamEvidence): string[] {
  if (provider.type === 'ExternalJWT') return evidence.encodedJWT === undefined ? ['encodedJWT'] : [];
  return [...(evidence.code === undefined ? ['data.code'] : []), ...(evidence.redirectUri === undefined ? ['data.redirect_uri'] : [])];
}

/** Verifies the evidence against the provider; throws FederationError, ExternalJwtError or the upstream's failures. */
export async function verifyUpstreamEvidence(upstreams: Upstreams, keyRing: KeyRing, provider: IdentityProvider, evidence: UpstreamEvidence): Promise<VerifiedUpstreamLogin> {
  if (provider.type === 'ExternalJWT') {
    const verified = await verifyExternalJwt(provider, evidence.encodedJWT ?? '', { now: upstreams.now(), keys: upstreams.keys });
    const tokens: UpstreamTokens | undefined =
      evidence.refreshToken === undefined
        ? undefined
        : { refreshToken: evidence.refreshToken, accessToken: undefined, idToken: undefined, accessTokenExpirationInstant: undefined, scope: undefined };
    return { identity: verified.identity, profile: { ...verified.userFields, data: verified.userData }, tokens };
  }
  const client = upstreamClient(keyRing, provider);
  const endpoints = await upstreamEndpoints(client, upstreams.metadata);
  const signIn = await redeemUpstreamCode(upstreams, client, endpoints, {
    code: evidence.code ?? '',
    redirectUri: evidence.redirectUri ?? '',
    codeVerifier: evidence.codeVerifier,
    nonce: evidence.nonce,
  });
  return { identity: signIn.identity, profile: profileClaims(signIn.claims), tokens: signIn.tokens };
}
