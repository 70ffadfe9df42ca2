/**
 * The upstream tokens kept on a link, each sealed for its own row and column (VAULT-02: a ciphertext
 * copied to another row or column does not open). The refresh token is FusionAuth's `token`.
 */
import type { KeyRing, SealContext } from '../keys/key-ring.ts';
import type { IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { UpstreamTokens } from './upstream-code-exchange.ts';

export const refreshTokenContext = (linkId: string): SealContext => ({ table: 'identity_provider_links', row: linkId, column: 'token_sealed' });
export const accessTokenContext = (linkId: string): SealContext => ({ table: 'identity_provider_links', row: linkId, column: 'access_token_sealed' });
export const idTokenContext = (linkId: string): SealContext => ({ table: 'identity_provider_links', row: linkId, column: 'id_token_sealed' });

export type LinkTokenFields = Pick<IdentityProviderLink, 'tokenSealed' | 'accessTokenSealed' | 'accessTokenExpirationInstant' | 'scopes' | 'idTokenSealed' | 'refreshTokenExpirationInstant'>;

/**
 * The link's token fields after a sign-in that returned `tokens`. A response without a refresh token
 * keeps the stored one (Google sends it only at first consent; FusionAuth drops it, its issue #2374);
 * the access token, its expiry and the scopes are replaced together, since they describe one grant.
 */
export function withUpstreamTokens(keyRing: KeyRing, linkId: string, previous: LinkTokenFields | undefined, tokens: UpstreamTokens | undefined): LinkTokenFields {
  const kept: LinkTokenFields = previous ?? {
    tokenSealed: undefined,
    accessTokenSealed: undefined,
    accessTokenExpirationInstant: undefined,
    scopes: undefined,
    idTokenSealed: undefined,
    refreshTokenExpirationInstant: undefined,
  };
  if (tokens === undefined) return kept;
  const refreshed = tokens.refreshToken === undefined
    ? { tokenSealed: kept.tokenSealed, refreshTokenExpirationInstant: kept.refreshTokenExpirationInstant }
    : { tokenSealed: keyRing.seal(tokens.refreshToken, refreshTokenContext(linkId)), refreshTokenExpirationInstant: tokens.refreshTokenExpirationInstant };
  const idTokenSealed = tokens.idToken === undefined ? kept.idTokenSealed : keyRing.seal(tokens.idToken, idTokenContext(linkId));
  if (tokens.accessToken === undefined) return { ...kept, ...refreshed, idTokenSealed };
  return {
    ...refreshed,
    idTokenSealed,
    accessTokenSealed: keyRing.seal(tokens.accessToken, accessTokenContext(linkId)),
    accessTokenExpirationInstant: tokens.accessTokenExpirationInstant,
    scopes: tokens.scope ?? kept.scopes,
  };
}
