import { randomUUID } from 'node:crypto';
import { signCompactJwsAsync, type JwsSigner } from './compact-jws.ts';

/** The grant chain of a client credentials token (FusionAuth's `gty` header). */
export const clientCredentialsGrantType = 'client_credentials';

export interface ClientCredentialsTokenOptions {
  readonly issuer: string;
  /** The recipient entity: the client the token is issued to. */
  readonly entityId: string;
  readonly tenantId: string;
  /** What was requested and granted on each target entity, in request order. */
  readonly permissions: ReadonlyMap<string, readonly string[]>;
  /** The request's scope values; undefined when it named none. */
  readonly scope: string | undefined;
  readonly timeToLiveInSeconds: number;
  readonly now: number;
}

/**
 * Signs the access token of a client credentials grant as FusionAuth shapes it: header `typ: JWT` and
 * `gty: ["client_credentials"]`; `aud` the target entity id (an array when there are several), `sub` the
 * recipient entity, `permissions` an object keyed by target entity id. Without targets there is no `aud`
 * and no `permissions`. The signature is computed on libuv's thread pool (compact-jws.ts): this grant is
 * a throughput path, and the other core signs while the event loop serves the next requests.
 */
export function signClientCredentialsToken(key: JwsSigner, options: ClientCredentialsTokenOptions): Promise<string> {
  const iat = Math.floor(options.now / 1000);
  const targets = [...options.permissions.keys()];
  const claims = {
    ...(targets.length === 0 ? {} : { aud: targets.length === 1 ? targets[0] : targets }),
    exp: iat + options.timeToLiveInSeconds,
    iat,
    iss: options.issuer,
    sub: options.entityId,
    jti: randomUUID(),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    tid: options.tenantId,
    ...(targets.length === 0 ? {} : { permissions: Object.fromEntries(options.permissions) }),
  };
  // Signed on the thread pool: the event loop keeps parsing and answering requests meanwhile.
  return signCompactJwsAsync(key, { typ: 'JWT', gty: [clientCredentialsGrantType] }, claims);
}
