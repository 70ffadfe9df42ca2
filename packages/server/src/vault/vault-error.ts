/**
 * Why the vault cannot hand out a fresh upstream access token (docs/hub.md, "Failure states").
 * - `reauthorization_required`: the upstream refused the refresh token (invalid_grant) or there is none;
 *   the user must reconnect the account. Nothing is retried.
 * - `revoked`: the link's grant was revoked.
 * - `upstream_unavailable`: the upstream failed (5xx, timeout, network); the link is unchanged and the
 *   next attempt waits `retryAfterSeconds` (a backoff every node shares).
 */
export type VaultErrorReason = 'reauthorization_required' | 'revoked' | 'upstream_unavailable';

export class VaultError extends Error {
  readonly reason: VaultErrorReason;
  readonly retryAfterSeconds: number | undefined;

  constructor(reason: VaultErrorReason, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'VaultError';
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
