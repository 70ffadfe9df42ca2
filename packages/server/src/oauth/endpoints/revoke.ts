import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { Store } from '../../store/store.ts';
import type { AuthenticatedClient } from '../client-auth/authenticate-client.ts';
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.ts';
import { hashRefreshToken } from '../tokens/refresh-token-value.ts';
import { isStructuredToken, noStore, refuseOtherMethods, tokenRequest } from './presented-token.ts';

export interface RevokeDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly accessTokens: AccessTokenVerifier;
  readonly now: () => number;
}

/**
 * A live token issued to another client (RFC 7009 §2.1: "the request is refused"). Like
 * node-oidc-provider: an authenticated client is told (invalid_request); a client that only named
 * itself is answered 200 as for an unknown token, since it proved nothing and must learn nothing.
 */
function notYours(client: AuthenticatedClient): void {
  if (client.method === 'none') return;
  throw new OAuthError('invalid_request', 'The token was not issued to this client.');
}

/** Revokes what a session id names: an OAuth grant with its refresh token, else a Login API refresh token. */
async function revokeFamily(repositories: Repositories, id: string, now: number): Promise<void> {
  if (!(await repositories.oauthGrants.revoke(id, now))) await repositories.refreshTokens.delete({ id });
}

async function revokeAccessToken(deps: RevokeDeps, client: AuthenticatedClient, token: string, request: FastifyRequest): Promise<void> {
  const verified = await deps.accessTokens.verify(token, request);
  if (verified === undefined) return;
  if (verified.application.id !== client.application.id) return notYours(client);
  const id = verified.session.kind === 'grant' ? verified.session.grant.id : verified.session.refreshTokenId;
  await deps.store.transaction((repositories) => revokeFamily(repositories, id, deps.now()));
}

/**
 * A refresh token, by its current value or the value its last one-time-use rotation replaced: whoever
 * holds either asks to end the grant. The row is locked, so a concurrent refresh finishes first or not at all.
 */
async function revokeRefreshToken(deps: RevokeDeps, client: AuthenticatedClient, token: string): Promise<void> {
  const now = deps.now();
  await deps.store.transaction(async (repositories) => {
    const record = await repositories.refreshTokens.findByCurrentOrPreviousHashForUpdate(hashRefreshToken(token));
    if (record === undefined || record.expirationInstant <= now) return;
    if (record.applicationId !== client.application.id) return notYours(client);
    await revokeFamily(repositories, record.id, now);
  });
}

/**
 * POST /oauth2/revoke (RFC 7009; an extension: FusionAuth has none). Revoking a refresh token revokes
 * its grant, so every access token issued under it stops working at UserInfo and introspection too
 * (§2.1 "SHOULD"); revoking an access token revokes its grant the same way, refresh token included —
 * a JWT cannot be revoked alone. Unknown, malformed, expired and already revoked tokens answer 200
 * (§2.2); `token_type_hint` is not needed (the token's shape tells its kind) and never refused.
 */
export function registerRevoke(app: FastifyInstance, deps: RevokeDeps): void {
  app.post('/oauth2/revoke', async (request: FastifyRequest, reply: FastifyReply) => {
    const { client, token } = await tokenRequest(deps, request);
    if (isStructuredToken(token)) await revokeAccessToken(deps, client, token, request);
    else await revokeRefreshToken(deps, client, token);
    return noStore(reply).code(200).send();
  });
  refuseOtherMethods(app, '/oauth2/revoke');
}
