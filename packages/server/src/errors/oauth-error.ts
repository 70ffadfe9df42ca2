/** Error codes of RFC 6749 §5.2 and the extensions Gatehouse answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_token'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'unsupported_token_type'
  | 'insufficient_scope'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'request_not_supported'
  | 'request_uri_not_supported';

export interface OAuthErrorOptions {
  /** FusionAuth's finer `error_reason` (reference §1.9), e.g. `auth_code_not_found`. */
  readonly reason?: string;
  /** The `WWW-Authenticate` challenge of a 401 (default: Basic, for client authentication). */
  readonly challenge?: string;
  /** Seconds to wait before trying again (`Retry-After`, with temporarily_unavailable). */
  readonly retryAfterSeconds?: number;
}

/** An OAuth protocol error: rendered as `{error, error_description}` (RFC 6749 §5.2). */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly status: number;
  readonly error: OAuthErrorCode;
  readonly reason: string | undefined;
  readonly challenge: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(error: OAuthErrorCode, description: string, status = 400, options: OAuthErrorOptions = {}) {
    super(description);
    this.error = error;
    this.status = status;
    this.reason = options.reason;
    this.challenge = options.challenge;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
  error_reason?: string;
}

/**
 * RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E; anything else
 * (quotes, backslashes, control characters, non-ASCII) becomes a space.
 */
export function renderOAuthError(error: OAuthError): OAuthErrorBody {
  const body: OAuthErrorBody = { error: error.error, error_description: error.message.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ') };
  if (error.reason !== undefined) body.error_reason = error.reason;
  return body;
}
