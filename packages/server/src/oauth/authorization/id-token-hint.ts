import { compactVerify, createLocalJWKSet, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { SigningKeys } from '../../keys/signing-keys.ts';

/** What an id_token_hint says about who it was issued to. */
export interface IdTokenHint {
  readonly subject: string;
  readonly audiences: readonly string[];
  readonly issuer: string | undefined;
}

/**
 * An ID token Gatehouse signed, judged by its signature only: an expired hint is still a genuine hint
 * (OIDC RP-Initiated Logout §2, LOGOUT-05), but one signed by any other key, or re-encoded with
 * `alg: none`, is not (LOGOUT-04): the key is looked up in Gatehouse's own JWKS by kid and algorithm, and
 * HMAC keys are never in it. Returns undefined for anything that is not such a token.
 */
export async function verifyIdTokenHint(signingKeys: SigningKeys, token: string): Promise<IdTokenHint | undefined> {
  const jwks = createLocalJWKSet(JSON.parse(await signingKeys.jwks()) as JSONWebKeySet);
  let payload: JWTPayload;
  try {
    const verified = await compactVerify(token, jwks);
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as JWTPayload;
  } catch {
    return undefined;
  }
  if (payload === null || typeof payload !== 'object' || typeof payload.sub !== 'string') return undefined;
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((value): value is string => typeof value === 'string') : [];
  return { subject: payload.sub, audiences, issuer: typeof payload.iss === 'string' ? payload.iss : undefined };
}
