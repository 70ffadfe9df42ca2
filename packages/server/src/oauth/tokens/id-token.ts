import { createHash, randomUUID } from 'node:crypto';
import { keyAlgorithms } from '../../keys/key-algorithms.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import { claimsForScopes } from '../scopes/scope-claims.ts';
import { signCompactJws, type JwsSigner } from './compact-jws.ts';

export interface IdTokenContext {
  readonly issuer: string;
  readonly clientId: string;
  readonly tenantId: string;
  readonly user: User;
  readonly scopes: readonly string[];
  /** Epoch millis of the authentication (auth_time). */
  readonly authenticatedInstant: number;
  readonly authenticationType: string;
  /** The SSO session the user authorized in, when interactive. */
  readonly sessionId: string | undefined;
  readonly nonce: string | undefined;
  /** Returned beside the ID token from the authorization endpoint: hashed into at_hash / c_hash. */
  readonly accessToken?: string | undefined;
  readonly code?: string | undefined;
  readonly timeToLiveInSeconds: number;
  readonly now: number;
}

/**
 * OIDC Core §3.1.3.6 / §3.3.2.11: the left half of the hash of the token's ASCII, with the hash of the
 * signing algorithm (SHA-512 for EdDSA, as for Ed25519 JWS), base64url.
 */
export function halfHash(algorithm: JwsSigner['algorithm'], value: string): string {
  const digest = createHash(keyAlgorithms[algorithm].hash ?? 'sha512').update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The ID token: who logged in, for this client, with the claims the granted scopes release. */
export function signIdToken(signer: JwsSigner, context: IdTokenContext): string {
  const iat = Math.floor(context.now / 1000);
  const claims = {
    iss: context.issuer,
    sub: context.user.id,
    aud: context.clientId,
    exp: iat + context.timeToLiveInSeconds,
    iat,
    jti: randomUUID(),
    auth_time: Math.floor(context.authenticatedInstant / 1000),
    ...(context.nonce === undefined ? {} : { nonce: context.nonce }),
    ...(context.accessToken === undefined ? {} : { at_hash: halfHash(signer.algorithm, context.accessToken) }),
    ...(context.code === undefined ? {} : { c_hash: halfHash(signer.algorithm, context.code) }),
    ...(context.sessionId === undefined ? {} : { sid: context.sessionId }),
    authenticationType: context.authenticationType,
    tid: context.tenantId,
    ...claimsForScopes(context.user, context.scopes),
  };
  return signCompactJws(signer, { typ: 'JWT' }, claims);
}
