import type { KeyRing } from '../../keys/key-ring.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { Store } from '../../store/store.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import type { LinkAccessTokens } from '../../vault/link-access-tokens.ts';
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.ts';
import type { OAuthParameters } from '../form-parameters.ts';

/** What every grant module is given by app.ts through the token endpoint. */
export interface TokenGrantDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  /** Applications and tenants cached for a few seconds (tenancy/settings-cache.ts); the store when absent. */
  readonly settings?: SettingsCache;
  /** Token exchange only: the hub's vault and the check of the presented subject token (absent: the grant answers server_error). */
  readonly linkTokens?: LinkAccessTokens;
  readonly accessTokens?: AccessTokenVerifier;
}

/** One token request, already parsed: form parameters (each at most once) and the client's credentials. */
export interface TokenRequest {
  readonly parameters: OAuthParameters;
  /** The Authorization header, for client_secret_basic. */
  readonly authorization: string | undefined;
  /** Where clients reach this server (the issuer of a tenant without one of its own). */
  readonly baseUrl: string;
  readonly now: number;
}

/** The JSON body of a successful token response (RFC 6749 §5.1 plus FusionAuth's members). */
export type TokenResponse = Readonly<Record<string, unknown>>;

/**
 * A grant type of the token endpoint. Each grant authenticates its own client, because the clients differ:
 * applications for the user grants, entities for client_credentials (see grant-client.ts).
 */
export interface TokenGrant {
  /** The `grant_type` value it answers. */
  readonly grantType: string;
  exchange(deps: TokenGrantDeps, request: TokenRequest): Promise<TokenResponse>;
}
