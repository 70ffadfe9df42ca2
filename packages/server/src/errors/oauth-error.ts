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
  | 'temporarily_unavailable';

/** An OAuth protocol error: rendered as `{error, error_description}` (RFC 6749 §5.2). */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly status: number;
  readonly error: OAuthErrorCode;

  constructor(error: OAuthErrorCode, description: string, status = 400) {
    super(description);
    this.error = error;
    this.status = status;
  }
}

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

/**
 * RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E; anything else
 * (quotes, backslashes, control characters, non-ASCII) becomes a space.
 */
export function renderOAuthError(error: OAuthError): OAuthErrorBody {
  return { error: error.error, error_description: error.message.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ') };
}
