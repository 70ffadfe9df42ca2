import { OAuthError } from '../../errors/oauth-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { Store } from '../../store/store.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import { clientSecretMatches, unsealClientSecret } from '../../tenancy/client-secret.ts';
import type { OAuthParameters } from '../form-parameters.ts';

export type ClientAuthenticationMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** The client a request came from, and how it proved it. `none` means it only named itself. */
export interface AuthenticatedClient {
  readonly application: Application;
  readonly method: ClientAuthenticationMethod;
}

export interface ClientAuthenticationDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  /** When given, the application is read through it (a few seconds' cache) instead of the store. */
  readonly settings?: SettingsCache;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const basicChallenge = 'Basic realm="gatehouse", charset="UTF-8"';

export function invalidClient(description: string, basic: boolean, reason: string): OAuthError {
  return new OAuthError('invalid_client', description, 401, { reason, ...(basic ? { challenge: basicChallenge } : {}) });
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded. */
function basicCredentials(authorization: string): { id: string; secret: string } {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization.trim());
  const decoded = match === null ? '' : Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('The Authorization header does not hold Basic client credentials.', true, 'invalid_client_authentication_scheme');
  try {
    const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('The Basic client credentials are not form-urlencoded.', true, 'invalid_client_authentication');
  }
}

/** The credentials a request presents, read but not yet checked. */
export interface PresentedCredentials {
  readonly clientId: string;
  readonly secret: string | undefined;
  /** Whether they came in the Authorization header (a 401 then carries the Basic challenge). */
  readonly viaBasic: boolean;
}

/**
 * The client id and secret of a request: `client_secret_basic` or `client_secret_post`, or `client_id`
 * alone. Two methods at once are invalid_request (TOK-08); no client at all is invalid_client.
 */
export function presentedCredentials(parameters: OAuthParameters, authorization: string | undefined): PresentedCredentials {
  const bodyId = parameters.get('client_id');
  const bodySecret = parameters.get('client_secret');
  const basic = authorization !== undefined && authorization !== '' ? basicCredentials(authorization) : undefined;
  if (basic !== undefined && bodySecret !== undefined) throw new OAuthError('invalid_request', 'Send the client credentials either in the Authorization header or in the body, not both.');
  if (basic !== undefined && bodyId !== undefined && bodyId !== basic.id) {
    throw new OAuthError('invalid_request', 'The client_id parameter differs from the client in the Authorization header.', 400, { reason: 'client_id_mismatch' });
  }
  const clientId = basic?.id ?? bodyId;
  if (clientId === undefined) throw invalidClient('The request names no client: send client_id or Basic client credentials.', false, 'missing_client_id');
  return { clientId, secret: basic?.secret ?? bodySecret, viaBasic: basic !== undefined };
}

/** The application a client id names, active or not; undefined when it names none. */
export function findApplicationClient(deps: ClientAuthenticationDeps, clientId: string): Promise<Application | undefined> {
  if (!uuid.test(clientId)) return Promise.resolve(undefined);
  const id = clientId.toLowerCase();
  return deps.settings !== undefined ? deps.settings.application(id) : deps.store.repositories.applications.find(id);
}

/** Checks presented credentials against the application found for them (see authenticateClient). */
export function checkApplicationClient(keyRing: KeyRing, application: Application | undefined, credentials: PresentedCredentials): AuthenticatedClient {
  const { secret, viaBasic } = credentials;
  if (application === undefined || !application.active) {
    // The same work as a secret check, so an unknown client is not told apart by latency.
    if (secret !== undefined) clientSecretMatches('unknown client', secret);
    throw invalidClient('The client could not be authenticated.', viaBasic, 'invalid_client_id');
  }
  if (secret === undefined) return { application, method: 'none' };
  if (!clientSecretMatches(unsealClientSecret(keyRing, application), secret)) {
    throw invalidClient('The client could not be authenticated.', viaBasic, 'invalid_client_authentication');
  }
  return { application, method: viaBasic ? 'client_secret_basic' : 'client_secret_post' };
}

/**
 * Who is calling the token, introspection or revocation endpoint: `client_secret_basic`,
 * `client_secret_post` or `none` (a client id alone). A secret, when sent, is always checked; whether
 * one is required is the grant's decision (see requireClientAuthentication). Two methods at once are
 * invalid_request (TOK-08); an unknown client answers exactly like a wrong secret (TOK-07).
 */
export async function authenticateClient(deps: ClientAuthenticationDeps, parameters: OAuthParameters, authorization: string | undefined): Promise<AuthenticatedClient> {
  const credentials = presentedCredentials(parameters, authorization);
  return checkApplicationClient(deps.keyRing, await findApplicationClient(deps, credentials.clientId), credentials);
}

/**
 * The application's clientAuthenticationPolicy (FusionAuth): Required, NotRequired, or
 * NotRequiredWhenUsingPKCE (the request, or the grant it continues, used PKCE).
 */
export function requireClientAuthentication(client: AuthenticatedClient, usedPkce: boolean): void {
  if (client.method !== 'none') return;
  const policy = client.application.settings.oauthConfiguration.clientAuthenticationPolicy;
  if (policy === 'NotRequired' || (policy === 'NotRequiredWhenUsingPKCE' && usedPkce)) return;
  throw invalidClient('This client must authenticate: send its client secret.', false, 'client_authentication_missing');
}
