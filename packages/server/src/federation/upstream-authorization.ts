/**
 * The authorization request Gatehouse sends to an upstream provider, and the callback's claim on it
 * (security checklist BRK-01, BRK-05, BRK-06). Every request carries a fresh `state`, `nonce` and S256
 * PKCE challenge. What the callback needs — provider, nonce, PKCE verifier (sealed), redirect URI, the
 * Gatehouse request to resume — is stored server-side under the SHA-256 of the state, bound to the
 * browser by the SHA-256 of a cookie value, for ten minutes, and consumed by the first callback.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyRing, SealContext } from '../keys/key-ring.ts';
import type { Repositories } from '../store/repositories/index.ts';
import type { UpstreamAuthorization } from '../store/repositories/upstream-authorization-repository.ts';
import type { UpstreamClient, UpstreamEndpoints } from './upstream-client.ts';

/** How long the user has at the upstream (BRK-05: ≤ 10 minutes). */
export const upstreamAuthorizationLifetimeMs = 600_000;

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const random = (): string => randomBytes(32).toString('base64url');
const verifierContext = (idHash: Buffer): SealContext => ({ table: 'upstream_authorizations', row: idHash.toString('hex'), column: 'code_verifier_sealed' });

export interface UpstreamAuthorizationStart {
  readonly client: UpstreamClient;
  readonly endpoints: UpstreamEndpoints;
  readonly tenantId: string;
  /** The application signed in to; undefined only for a connect from the connections page. */
  readonly applicationId: string | undefined;
  /** `<public URL>/oauth2/callback`. */
  readonly redirectUri: string;
  /** The browser-binding cookie's value. */
  readonly browserBinding: string;
  /** The Gatehouse authorization request to resume (empty when `connect.returnTo` says where to go). */
  readonly resume: readonly (readonly [string, string])[];
  readonly loginHint: string | undefined;
  /** The scope asked for, when not the provider's configured one (incremental authorization adds to it). */
  readonly scope?: string | undefined;
  /** Link the upstream account to this signed-in user instead of signing in (the session stays as it is). */
  readonly connect?: { readonly userId: string; readonly returnTo: string | undefined } | undefined;
}

/** Where the browser goes: the upstream's authorization endpoint with these parameters (query, or a POST form). */
export interface UpstreamRedirect {
  readonly endpoint: string;
  readonly parameters: readonly (readonly [string, string])[];
  readonly post: boolean;
}

export async function startUpstreamAuthorization(repositories: Repositories, keyRing: KeyRing, start: UpstreamAuthorizationStart, now: number): Promise<UpstreamRedirect> {
  const state = random();
  const nonce = random();
  const codeVerifier = random();
  const idHash = sha256(state);
  await repositories.upstreamAuthorizations.insert({
    idHash,
    tenantId: start.tenantId,
    identityProviderId: start.client.providerId,
    applicationId: start.applicationId,
    browserBinding: sha256(start.browserBinding),
    nonce,
    codeVerifierSealed: keyRing.seal(codeVerifier, verifierContext(idHash)),
    redirectUri: start.redirectUri,
    request: start.resume,
    purpose: start.connect === undefined ? 'login' : 'connect',
    userId: start.connect?.userId,
    returnTo: start.connect?.returnTo,
    insertInstant: now,
    expirationInstant: now + upstreamAuthorizationLifetimeMs,
  });
  // Old requests whose users never came back go with each new one (cheap: an indexed range delete).
  await repositories.upstreamAuthorizations.deleteExpired(now);
  const parameters: [string, string][] = [
    ['client_id', start.client.clientId],
    ['response_type', 'code'],
    ['redirect_uri', start.redirectUri],
    ['scope', start.scope ?? start.client.scope],
    ['state', state],
    ['nonce', nonce],
    ['code_challenge', createHash('sha256').update(codeVerifier, 'ascii').digest('base64url')],
    ['code_challenge_method', 'S256'],
    ...Object.entries(start.client.authorizeParameters),
  ];
  // OIDC Core §11, as upstreamClient does for the configured scope: offline_access added per request needs consent too.
  if (start.scope !== undefined && start.scope.split(' ').includes('offline_access') && !parameters.some(([name]) => name === 'prompt')) parameters.push(['prompt', 'consent']);
  if (start.loginHint !== undefined) parameters.push(['login_hint', start.loginHint]);
  return { endpoint: start.endpoints.authorization, parameters, post: start.client.postRequest };
}

/** The URL of a GET redirect: the endpoint's own query (FusionAuth lets it carry extra parameters) kept. */
export function upstreamRedirectUrl(redirect: UpstreamRedirect): string {
  const url = new URL(redirect.endpoint);
  for (const [name, value] of redirect.parameters) url.searchParams.set(name, value);
  return url.toString();
}

export interface ClaimedAuthorization extends UpstreamAuthorization {
  readonly codeVerifier: string;
}

export type ClaimRefusal = 'unknown_state' | 'other_browser';

/**
 * The stored request a callback's `state` names, taken out of the store whatever happens next (single
 * use); refused when unknown, expired, or started in another browser (BRK-01).
 */
export async function claimUpstreamAuthorization(
  repositories: Repositories,
  keyRing: KeyRing,
  callback: { readonly state: string | undefined; readonly browserBinding: string | undefined },
  now: number,
): Promise<ClaimedAuthorization | ClaimRefusal> {
  if (callback.state === undefined || callback.state === '' || callback.state.length > 512) return 'unknown_state';
  const stored = await repositories.upstreamAuthorizations.consume(sha256(callback.state), now);
  if (stored === undefined) return 'unknown_state';
  if (callback.browserBinding === undefined || !timingSafeEqual(sha256(callback.browserBinding), stored.browserBinding)) return 'other_browser';
  return { ...stored, codeVerifier: keyRing.unseal(stored.codeVerifierSealed, verifierContext(stored.idHash)).toString('utf8') };
}
