import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';

/** oauth4webapi's option for the suites' plain-http server. */
export const insecure = { [oauth.allowInsecureRequests]: true };

/** An OAuth error answer: status, RFC 6749 code, FusionAuth's error_reason, and no-store on it too. */
export function assertOAuthError(response: { status: number; headers: Headers; json: Record<string, unknown> }, status: number, error: string, reason?: string) {
  assert.equal(response.status, status, JSON.stringify(response.json));
  assert.equal(response.json['error'], error, JSON.stringify(response.json));
  if (reason !== undefined) assert.equal(response.json['error_reason'], reason, JSON.stringify(response.json));
  assert.equal(typeof response.json['error_description'], 'string');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('pragma'), 'no-cache');
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
}
