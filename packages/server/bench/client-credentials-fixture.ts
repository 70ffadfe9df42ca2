/**
 * The clients of bench/client-credentials.ts on oidc-provider's side (Gatehouse's entities get generated ids
 * and secrets): one client per signing algorithm, each asking for one resource and one of its scopes, and
 * the resource server as a client of its own, which introspects.
 */
export const oidcClientCredentials = {
  es256ClientId: 'bench-cc-es256',
  rs256ClientId: 'bench-cc-rs256',
  resourceServerClientId: 'bench-email-api',
  clientSecret: 'bench-client-credentials-secret-0123456789abcdef',
  es256Resource: 'urn:gatehouse:bench:email-api-es256',
  rs256Resource: 'urn:gatehouse:bench:email-api-rs256',
  /** The resource server's scopes, as the email API entity type's permissions. */
  resourceScopes: 'read write',
  /** What each token request asks for: one of them, as Gatehouse's `target-entity:<email API>:read`. */
  scope: 'read',
} as const;
