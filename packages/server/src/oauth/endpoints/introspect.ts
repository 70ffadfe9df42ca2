import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import { hashRefreshToken } from '../tokens/refresh-token-value.ts';
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { isStructuredToken, noStore, refuseOtherMethods, tokenRequest } from './presented-token.ts';

export interface IntrospectDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly accessTokens: AccessTokenVerifier;
  readonly now: () => number;
}

type Introspection = Record<string, unknown> & { active: boolean };

const inactive: Introspection = { active: false };

/** An access token of the calling client: its claims, the client and `token_type` (RFC 7662 §2.2). */
async function introspectAccessToken(deps: IntrospectDeps, token: string, clientId: string, request: FastifyRequest): Promise<Introspection> {
  const verified = await deps.accessTokens.verify(token, request);
  if (verified === undefined || verified.application.id !== clientId) return inactive;
  return { active: true, ...verified.claims, client_id: clientId, token_type: 'Bearer' };
}

/**
 * A refresh token of the calling client, by its current value (a value a one-time-use rotation
 * replaced is inactive even during its grace period: that period is for retries at the token endpoint).
 */
async function introspectRefreshToken(deps: IntrospectDeps, token: string, clientId: string, request: FastifyRequest): Promise<Introspection> {
  const { repositories } = deps.store;
  const now = deps.now();
  // Outside a transaction the row lock lasts one statement: a refresh in progress is waited for, not seen half-done.
  const record = await repositories.refreshTokens.findByHashForUpdate(hashRefreshToken(token));
  if (record === undefined || record.expirationInstant <= now || record.applicationId !== clientId) return inactive;
  const [grant, user, tenant, application] = await Promise.all([
    repositories.oauthGrants.find(record.id),
    repositories.users.find(record.userId),
    repositories.tenants.find(record.tenantId),
    repositories.applications.find(clientId),
  ]);
  if (grant?.revokedInstant !== undefined || user === undefined || !user.active || (user.expiry !== undefined && user.expiry <= now)) return inactive;
  if (tenant === undefined || application === undefined || !application.active) return inactive;
  const stored = record.metaData['scopes'];
  const scopes = grant?.scopes ?? (Array.isArray(stored) ? stored.filter((scope): scope is string => typeof scope === 'string') : []);
  return {
    active: true,
    client_id: clientId,
    sub: record.userId,
    aud: clientId,
    iss: issuerFor(tenant.settings, request),
    exp: Math.floor(record.expirationInstant / 1000),
    iat: Math.floor((record.rotatedInstant ?? record.insertInstant) / 1000),
    ...(scopes.length === 0 ? {} : { scope: scopes.join(' ') }),
    tid: record.tenantId,
    token_type: 'refresh_token',
  };
}

/**
 * POST /oauth2/introspect (RFC 7662): the state of an access or refresh token for the client it was
 * issued to. Anything else — unknown, malformed, expired, revoked, another client's, an ID token — is
 * exactly `{"active":false}` (§2.2: no reason is given). The kind of token is read from its shape, so
 * `token_type_hint` is never needed and never misleads (§2.1).
 */
export function registerIntrospect(app: FastifyInstance, deps: IntrospectDeps): void {
  app.post('/oauth2/introspect', async (request: FastifyRequest, reply: FastifyReply) => {
    const { client, token } = await tokenRequest(deps, request);
    const clientId = client.application.id;
    const body = isStructuredToken(token) ? await introspectAccessToken(deps, token, clientId, request) : await introspectRefreshToken(deps, token, clientId, request);
    return noStore(reply).send(body);
  });
  refuseOtherMethods(app, '/oauth2/introspect');
}
