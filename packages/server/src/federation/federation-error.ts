/**
 * Why a federated login could not be completed, as the callback page and the Complete-the-Login API
 * report it. Messages name the problem and the provider's host at most: never a code, token or claim value.
 */
export type FederationErrorReason =
  /** The upstream's token endpoint refused the code or refresh token (an OAuth error such as invalid_grant). */
  | 'code_refused'
  /** The upstream could not be reached, timed out or failed (5xx). */
  | 'upstream_unavailable'
  /** The ID token failed validation (signature, issuer, audience, nonce, expiry...). */
  | 'invalid_id_token'
  /** The userinfo `sub` is not the ID token's (OIDC Core §5.3.2). */
  | 'userinfo_mismatch'
  /** Neither the ID token nor userinfo carried the unique id claim. */
  | 'missing_unique_id'
  /** The upstream answered something that is not an OAuth/OIDC response. */
  | 'invalid_response';

export class FederationError extends Error {
  readonly reason: FederationErrorReason;
  /** For `code_refused`: the upstream's OAuth error code (invalid_grant, invalid_client, ...). */
  readonly oauthError: string | undefined;

  constructor(reason: FederationErrorReason, message: string, details: { readonly cause?: unknown; readonly oauthError?: string } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FederationError';
    this.reason = reason;
    this.oauthError = details.oauthError;
  }
}
