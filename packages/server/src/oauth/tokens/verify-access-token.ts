import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { SigningKeys } from '../../keys/signing-keys.ts';

/**
 * Verifies a token Gatehouse signed: signature against the published keys (algorithm pinned by the
 * key's own `alg`, so `none` and key confusion fail, RFC 8725 §3.1), expiry, and typ JWT.
 * Returns the claims, or undefined for any token that is not valid now.
 */
export async function verifyAccessToken(signingKeys: SigningKeys, token: string, now: number): Promise<JWTPayload | undefined> {
  const jwks = createLocalJWKSet(JSON.parse(await signingKeys.jwks()) as Parameters<typeof createLocalJWKSet>[0]);
  try {
    const { payload } = await jwtVerify(token, jwks, { currentDate: new Date(now), typ: 'JWT' });
    return payload;
  } catch {
    return undefined;
  }
}
