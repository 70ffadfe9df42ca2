/**
 * The one client and account both sides of bench/oauth.ts are configured with: same redirect URI, same
 * client authentication (client_secret_basic), same grants. Gatehouse's application gets a generated id
 * and secret; oidc-provider's client these fixed ones.
 */
export const redirectUri = 'http://127.0.0.1/callback';

export const oidcProviderClient = {
  clientId: 'bench-client',
  clientSecret: 'bench-client-secret-0123456789abcdef',
  accountId: 'bench-account',
  /** The access token's audience: oidc-provider's default resource, so that its access tokens are ES256 JWTs as Gatehouse's. */
  resource: 'urn:gatehouse:bench:api',
  resourceScope: 'api',
  /**
   * `api` selects the resource server's scope (the JWT access token); oidc-provider drops offline_access
   * without prompt=consent and issues the refresh token by configuration instead.
   */
  scope: 'openid email api',
} as const;

export const gatehouseUser = {
  email: 'bench-oauth@example.com',
  password: 'correct horse battery staple',
  /** openid + email for the ID token, offline_access for the refresh token (FusionAuth's rule). */
  scope: 'openid email offline_access',
} as const;
