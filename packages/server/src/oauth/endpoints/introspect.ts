import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { EntityClient } from '../../store/repositories/client-credentials-repository.ts';
import type { Store } from '../../store/store.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import { checkApplicationClient, findApplicationClient, presentedCredentials, type AuthenticatedClient } from '../client-auth/authenticate-client.ts';
import { checkEntityClient, findEntityClient } from '../client-auth/authenticate-entity.ts';
import { requiredParameter } from '../form-parameters.ts';
import { hashRefreshToken } from '../tokens/refresh-token-value.ts';
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.ts';
import { clientCredentialsGrantType } from '../tokens/client-credentials-token.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { clientTokenRequest, formParameters, isStructuredToken, noStore, refuseOtherMethods } from './presented-token.ts';

export interface IntrospectDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  /** Applications and entities cached for a few seconds (tenancy/settings-cache.ts); the store when absent. */
  readonly settings?: SettingsCache;
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

/** Whether a token's header (not verified) names the client credentials grant in `gty`. */
function claimsClientCredentials(token: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const gty = typeof header === 'object' && header !== null ? (header as Record<string, unknown>)['gty'] : undefined;
    return Array.isArray(gty) && gty.includes(clientCredentialsGrantType);
  } catch {
    return false;
  }
}

/**
 * The calling client and the token it names. An application as tokenRequest admits it; a client id that
 * names no application may name an Entity, which must send its secret (FusionAuth 1.46 introspects client
 * credentials tokens without any client authentication; RFC 7662 §2.1 requires it). Which kind is looked
 * up first follows the token's unverified `gty`, so that neither kind of caller pays for a lookup of the
 * other on its hot path; it changes nothing else, as entity client ids are not application ids.
 */
async function introspectionRequest(deps: IntrospectDeps, request: FastifyRequest): Promise<{ client: AuthenticatedClient; token: string } | { entity: EntityClient; token: string }> {
  const parameters = formParameters(request);
  const credentials = presentedCredentials(parameters, request.headers.authorization);
  const token = parameters.get('token');
  const entityFirst = credentials.secret !== undefined && token !== undefined && claimsClientCredentials(token);
  const first = entityFirst ? await findEntityClient(deps, { clientId: credentials.clientId }) : undefined;
  const application = first === undefined ? await findApplicationClient(deps, credentials.clientId) : undefined;
  const found = first ?? (!entityFirst && application === undefined && credentials.secret !== undefined ? await findEntityClient(deps, { clientId: credentials.clientId }) : undefined);
  if (found !== undefined) return { entity: checkEntityClient(deps.keyRing, found.client, credentials), token: requiredParameter(parameters, 'token') };
  return clientTokenRequest(checkApplicationClient(deps.keyRing, application, credentials), parameters);
}

/**
 * A client credentials access token, for the entity it was issued to or one of its target entities (its
 * `aud`): every claim, `client_id` the recipient entity's client id. Anything else is inactive, user
 * tokens included: an entity is not their client.
 */
async function introspectEntityToken(deps: IntrospectDeps, token: string, caller: EntityClient, request: FastifyRequest): Promise<Introspection> {
  const verified = await deps.accessTokens.verifyEntityToken(token, request, caller);
  if (verified === undefined || (verified.entity.id !== caller.id && !verified.audience.includes(caller.id))) return inactive;
  return { active: true, ...verified.claims, client_id: verified.entity.clientId, token_type: 'Bearer' };
}

/**
 * POST /oauth2/introspect (RFC 7662): the state of an access or refresh token for the client it was
 * issued to. Anything else — unknown, malformed, expired, revoked, another client's, an ID token — is
 * exactly `{"active":false}` (§2.2: no reason is given). The kind of token is read from its shape, so
 * `token_type_hint` is never needed and never misleads (§2.1).
 */
export function registerIntrospect(app: FastifyInstance, deps: IntrospectDeps): void {
  app.post('/oauth2/introspect', async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = await introspectionRequest(deps, request);
    if ('entity' in caller) {
      const body = isStructuredToken(caller.token) ? await introspectEntityToken(deps, caller.token, caller.entity, request) : inactive;
      return noStore(reply).send(body);
    }
    const { client, token } = caller;
    const clientId = client.application.id;
    const body = isStructuredToken(token) ? await introspectAccessToken(deps, token, clientId, request) : await introspectRefreshToken(deps, token, clientId, request);
    return noStore(reply).send(body);
  });
  refuseOtherMethods(app, '/oauth2/introspect');
}
