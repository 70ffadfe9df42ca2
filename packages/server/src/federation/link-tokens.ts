/**
 * The upstream tokens kept on a link, each sealed for its own row and column (VAULT-02: a ciphertext
 * copied to another row or column does not open). The refresh token is FusionAuth's `token`.
 */
import type { KeyRing, SealContext } from '../keys/key-ring.ts';
import type { IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { UpstreamTokens } from './upstream-code-exchange.ts';

export const refreshTokenContext = (linkId: string): SealContext => ({ table: 'identity_provider_links', row: linkId, column: 'token_sealed' });
export const accessTokenContext = (linkId: string): SealContext => ({ table: 'identity_provider_links', row: linkId, column: 'access_token_sealed' });

export type LinkTokenFields = Pick<IdentityProviderLink, 'tokenSealed' | 'accessTokenSealed' | 'accessTokenExpirationInstant' | 'scopes'>;

/**
 * The link's token fields after a sign-in that returned `tokens`. A response without a refresh token
 * keeps the stored one (Google sends it only at first consent; FusionAuth drops it, its issue #2374);
 * the access token, its expiry and the scopes are replaced together, since they describe one grant.
 */
export function withUpstreamTokens(keyRing: KeyRing, linkId: string, previous: LinkTokenFields | undefined, tokens: UpstreamTokens | undefined): LinkTokenFields {
  if (tokens === undefined) {
    return previous ?? { tokenSealed: undefined, accessTokenSealed: undefined, accessTokenExpirationInstant: undefined, scopes: undefined };
  }
  const tokenSealed = tokens.refreshToken === undefined ? previous?.tokenSealed : keyRing.seal(tokens.refreshToken, refreshTokenContext(linkId));
  if (tokens.accessToken === undefined) {
    return { tokenSealed, accessTokenSealed: previous?.accessTokenSealed, accessTokenExpirationInstant: previous?.accessTokenExpirationInstant, scopes: previous?.scopes };
  }
  return {
    tokenSealed,
    accessTokenSealed: keyRing.seal(tokens.accessToken, accessTokenContext(linkId)),
    accessTokenExpirationInstant: tokens.accessTokenExpirationInstant,
    scopes: tokens.scope ?? previous?.scopes,
  };
}
