/**
 * Requests to an upstream's token endpoint (RFC 6749 §3.2), for a code (upstream-code-exchange.ts) or a
 * refresh token (the vault): the client authenticates as the provider says, the answer is read as RFC 6749
 * §5.1 writes it, and failures become FederationErrors (the OAuth error code kept for the caller).
 */
import { FederationError } from './federation-error.ts';
import type { UpstreamClient } from './upstream-client.ts';
import { UpstreamError, type UpstreamHttp } from './upstream-http.ts';

/** What the upstream's token endpoint returned. */
export interface UpstreamTokens {
  readonly accessToken: string | undefined;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
  /** Epoch milliseconds, from expires_in. */
  readonly accessTokenExpirationInstant: number | undefined;
  /** The granted scopes (RFC 6749 §5.1: absent means as requested). */
  readonly scope: string | undefined;
  /** Epoch milliseconds, when the upstream says its refresh token expires (refresh_expires_in, refresh_token_expires_in). */
  readonly refreshTokenExpirationInstant?: number | undefined;
}

/** Posts a token request as the provider's client and reads the tokens. */
export async function requestTokens(
  connection: { readonly http: UpstreamHttp; readonly now: () => number },
  client: Pick<UpstreamClient, 'clientId' | 'clientSecret' | 'authentication'>,
  tokenEndpoint: string,
  grant: Readonly<Record<string, string>>,
): Promise<UpstreamTokens> {
  const { form, headers } = authenticatedForm(client, grant);
  const requestedAt = connection.now();
  const answer = await upstreamCall(() => connection.http.postForm(tokenEndpoint, form, headers), 'token endpoint');
  return readTokens(answer, requestedAt);
}

/**
 * A form to one of the upstream's client-authenticated endpoints (token, revocation — RFC 7009 §2.1 asks for
 * the token endpoint's authentication) with the client's credentials as the provider says.
 */
export function authenticatedForm(
  client: Pick<UpstreamClient, 'clientId' | 'clientSecret' | 'authentication'>,
  fields: Readonly<Record<string, string>>,
): { readonly form: Record<string, string>; readonly headers: Record<string, string> } {
  const form: Record<string, string> = { ...fields };
  const headers: Record<string, string> = {};
  if (client.authentication === 'client_secret_basic') {
    // RFC 6749 §2.3.1: each part form-urlencoded before the Basic encoding.
    headers['authorization'] = `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret ?? '')}`).toString('base64')}`;
  } else {
    form['client_id'] = client.clientId;
    if (client.authentication === 'client_secret_post') form['client_secret'] = client.clientSecret ?? '';
  }
  return { form, headers };
}

/** A call to the upstream: its refusals and failures as FederationErrors. */
export async function upstreamCall<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    const oauthError = (error.body as Record<string, unknown> | undefined)?.['error'];
    if (error.kind === 'http_status' && error.status !== undefined && error.status < 500 && typeof oauthError === 'string') {
      throw new FederationError('code_refused', `The upstream ${what} refused the request (${oauthError.slice(0, 64)}).`, { cause: error, oauthError });
    }
    if (error.kind === 'invalid_json' || error.kind === 'too_large' || (error.kind === 'http_status' && (error.status ?? 0) < 500)) {
      throw new FederationError('invalid_response', `The upstream ${what} answered with an unusable response.`, { cause: error });
    }
    throw new FederationError('upstream_unavailable', `The upstream ${what} at ${error.host} is unavailable (${error.kind}).`, { cause: error });
  }
}

/** The token endpoint's JSON answer (RFC 6749 §5.1), read leniently: numbers may come as strings. */
export function readTokens(answer: { readonly json: unknown }, requestedAt: number): UpstreamTokens {
  const body = answer.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FederationError('invalid_response', 'The upstream token response is not a JSON object.');
  const members = body as Record<string, unknown>;
  const value = (name: string): string | undefined => {
    const member = members[name];
    return typeof member === 'string' && member !== '' ? member : undefined;
  };
  const instant = (...names: string[]): number | undefined => {
    for (const name of names) {
      const member = members[name];
      const seconds = typeof member === 'number' ? member : typeof member === 'string' ? Number(member) : Number.NaN;
      if (Number.isFinite(seconds) && seconds > 0) return requestedAt + seconds * 1000;
    }
    return undefined;
  };
  return {
    accessToken: value('access_token'),
    refreshToken: value('refresh_token'),
    idToken: value('id_token'),
    accessTokenExpirationInstant: instant('expires_in'),
    scope: value('scope'),
    refreshTokenExpirationInstant: instant('refresh_expires_in', 'refresh_token_expires_in'),
  };
}

