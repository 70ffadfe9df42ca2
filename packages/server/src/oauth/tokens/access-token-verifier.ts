import type { FastifyRequest } from 'fastify';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { EntityClient } from '../../store/repositories/client-credentials-repository.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { Store } from '../../store/store.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import { findEntityClient } from '../client-auth/authenticate-entity.ts';
import { parseScope } from '../scopes/requested-scopes.ts';
import { clientCredentialsGrantType } from './client-credentials-token.ts';
import { issuerFor } from './issuer.ts';
import { createJwsVerifier, type VerifiedJws } from './jws-verifier.ts';

/** An access token that may be used right now, with everything it stands for as stored today. */
export interface VerifiedAccessToken {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly tenant: Tenant;
  readonly user: User;
  /** The client the token was issued to (its `aud`); also the application whose settings apply. */
  readonly application: Application;
  /** The `scope` claim, split; empty for a Login API token, which has none. */
  readonly scopes: readonly string[];
  /**
   * What `sid` names: the OAuth grant the token was issued under, or the Login API refresh token (a
   * session without a grant). Revoking it kills the token.
   */
  readonly session: { readonly kind: 'grant'; readonly grant: OAuthGrant } | { readonly kind: 'login'; readonly refreshTokenId: string };
}

/** A live client credentials access token and the entity it was issued to (its `sub`). */
export interface VerifiedEntityToken {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly entity: EntityClient;
  /** The target entity ids of `aud`; empty for a token requested without scope. */
  readonly audience: readonly string[];
}

export interface AccessTokenVerifierDeps {
  readonly store: Store;
  /** When given, the entities behind client credentials tokens are read through it (a few seconds' cache). */
  readonly settings?: SettingsCache;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  readonly now: () => number;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `JWT` (FusionAuth's header) or `at+jwt` (RFC 9068 §2.1), with or without the `application/` prefix. */
function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const type = typ.toLowerCase().replace(/^application\//, '');
  return type === 'jwt' || type === 'at+jwt';
}

/** Claims only an ID token carries (OIDC Core §2, §3.1.3.6, §3.3.2.11). */
const idTokenClaims = ['nonce', 'at_hash', 'c_hash'] as const;

/** The first audience: the client id (FusionAuth puts resource URIs after it, RFC 8707). */
function clientOf(aud: unknown): string | undefined {
  const first = Array.isArray(aud) ? aud[0] : aud;
  return typeof first === 'string' ? first : undefined;
}

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuid.test(value);
}

/**
 * Decides whether a presented bearer token is a live Gatehouse access token (UserInfo, introspection,
 * revocation). Beyond signature (jws-verifier.ts), `typ`, `exp`/`nbf` and `iss` = the tenant's issuer:
 *
 * - **Access, not ID or refresh token.** Every access token Gatehouse issues carries `sid`: the OAuth
 *   grant's id (grant-tokens.ts) or, from the Login API, its refresh token's id. A token is accepted only
 *   when its `sid` names one of those, live. An ID token's `sid` is the SSO session (or absent, for the
 *   password grant), so it names neither and is refused whatever its other claims; one carrying
 *   `nonce`, `at_hash` or `c_hash` is refused outright. A refresh token is opaque and never parses as a JWS.
 * - **Revocation.** A revoked grant (code replay, refresh reuse, /oauth2/revoke) or a deleted Login API
 *   refresh token (logout, DELETE /api/jwt/refresh) ends its access tokens at once.
 * - **Grant binding.** The grant must be of the same user, tenant and client (`aud`); an OAuth access
 *   token always has a `scope` claim, a Login API token never.
 * - **The user** still exists, is active and not expired; **the application** exists and is active.
 *
 * Login API tokens issued without a refresh token have no `sid` and are refused: use /api/jwt/validate.
 * Client credentials tokens have no `sid` either: `verify` refuses them, `verifyEntityToken` takes them.
 */
export function createAccessTokenVerifier(deps: AccessTokenVerifierDeps) {
  const jws = createJwsVerifier(deps);
  const { repositories } = deps.store;

  async function session(claims: Readonly<Record<string, unknown>>, sid: string, now: number): Promise<VerifiedAccessToken['session'] | undefined> {
    const client = clientOf(claims['aud']);
    const grant = await repositories.oauthGrants.find(sid);
    if (grant !== undefined) {
      if (grant.revokedInstant !== undefined || typeof claims['scope'] !== 'string') return undefined;
      if (grant.userId !== claims['sub'] || grant.tenantId !== claims['tid'] || grant.applicationId !== client) return undefined;
      return { kind: 'grant', grant };
    }
    if (claims['scope'] !== undefined || client === undefined) return undefined;
    const refreshToken = await repositories.refreshTokens.find(sid);
    if (refreshToken === undefined || refreshToken.expirationInstant <= now) return undefined;
    if (refreshToken.userId !== claims['sub'] || refreshToken.tenantId !== claims['tid'] || refreshToken.applicationId !== client) return undefined;
    return { kind: 'login', refreshTokenId: refreshToken.id };
  }

  /** A token Gatehouse signed as an access token (`typ`), valid at `now`, without ID-token claims. */
  async function signedAccessToken(token: string, now: number): Promise<VerifiedJws | undefined> {
    const verified = await jws.verify(token);
    if (verified === undefined || !isAccessTokenType(verified.header['typ'])) return undefined;
    const claims = verified.payload;
    const seconds = now / 1000;
    // RFC 7519 §4.1.4 and §4.1.5: expired at exp, not valid before nbf. No leeway: we signed it ourselves.
    if (typeof claims['exp'] !== 'number' || claims['exp'] <= seconds) return undefined;
    if (claims['nbf'] !== undefined && (typeof claims['nbf'] !== 'number' || claims['nbf'] > seconds)) return undefined;
    if (idTokenClaims.some((claim) => claim in claims)) return undefined;
    return verified;
  }

  return {
    /** The live access token, or undefined for anything else (never says why: callers answer invalid_token). */
    async verify(token: string, request: Pick<FastifyRequest, 'baseUrl'>): Promise<VerifiedAccessToken | undefined> {
      const now = deps.now();
      const verified = await signedAccessToken(token, now);
      if (verified === undefined) return undefined;
      const claims = verified.payload;
      const { sub, tid, sid, iss } = claims;
      if (!isUuid(sub) || !isUuid(tid) || !isUuid(sid) || typeof iss !== 'string') return undefined;
      const scope = claims['scope'];
      if (scope !== undefined && typeof scope !== 'string') return undefined;

      const [tenant, user, found] = await Promise.all([repositories.tenants.find(tid), repositories.users.find(sub), session(claims, sid, now)]);
      if (tenant === undefined || iss !== issuerFor(tenant.settings, request) || found === undefined) return undefined;
      if (user === undefined || !user.active || user.tenantId !== tid || (user.expiry !== undefined && user.expiry <= now)) return undefined;
      const applicationId = found.kind === 'grant' ? found.grant.applicationId : clientOf(claims['aud'])!;
      const application = await repositories.applications.find(applicationId);
      if (application === undefined || !application.active || application.tenantId !== tid) return undefined;
      let scopes: string[];
      try {
        scopes = parseScope(scope);
      } catch {
        return undefined;
      }
      return { claims, tenant, user, application, scopes, session: found };
    },

    /**
     * A live access token of the client credentials grant (header `gty` holds `client_credentials`): no
     * `sid`, as nothing was stored for it; it is live while unexpired and while its subject, the entity it
     * was issued to, exists in the tenant `tid` whose issuer signed it. `known` spares the lookup when the
     * caller already loaded that entity (an entity introspecting its own token).
     */
    async verifyEntityToken(token: string, request: Pick<FastifyRequest, 'baseUrl'>, known?: EntityClient): Promise<VerifiedEntityToken | undefined> {
      const verified = await signedAccessToken(token, deps.now());
      const gty = verified?.header['gty'];
      if (verified === undefined || !Array.isArray(gty) || !gty.includes(clientCredentialsGrantType)) return undefined;
      const claims = verified.payload;
      const { sub, tid, iss, aud } = claims;
      if (!isUuid(sub) || !isUuid(tid) || typeof iss !== 'string' || claims['sid'] !== undefined) return undefined;
      const audience = aud === undefined ? [] : Array.isArray(aud) ? aud : [aud];
      if (!audience.every(isUuid)) return undefined;
      const entity = known?.id === sub ? known : (await findEntityClient(deps, { id: sub }))?.client;
      if (entity === undefined || entity.tenantId !== tid || iss !== issuerFor(entity.tenant.settings, request)) return undefined;
      return { claims, entity, audience };
    },
  };
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;
