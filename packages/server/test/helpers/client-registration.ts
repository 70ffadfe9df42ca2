import assert from 'node:assert/strict';
import type { StoreBackend } from '../../src/store/store.ts';
import { startOAuthServer, type OAuthServer } from './oauth-fixtures.ts';

/** Helpers of the dynamic client registration suites (RFC 7591 / RFC 7592), spoken as raw HTTP. */

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

export const fullMetadata = {
  redirect_uris: ['https://client.example.org/callback', 'http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
  scope: 'openid email offline_access calendar.read',
  client_name: 'Calendar Sync',
  client_uri: 'https://client.example.org/',
  logo_uri: 'https://client.example.org/logo.png',
  policy_uri: 'https://client.example.org/privacy',
  tos_uri: 'https://client.example.org/terms',
  contacts: ['ops@client.example.org'],
  application_type: 'web',
  software_id: 'calendar-sync',
  software_version: '2.1',
};

export interface RegistrationFixture {
  readonly server: OAuthServer;
  /** An API key allowed to POST /oauth2/register only: the initial access token. */
  readonly initialAccessToken: string;
}

export async function startRegistrationFixture(backend: StoreBackend): Promise<RegistrationFixture> {
  const server = await startOAuthServer(backend);
  const initialAccessToken = (await server.client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/oauth2/register': ['POST'] } } } })).response.apiKey!.key!;
  return { server, initialAccessToken };
}

/** The requests and checks of the suites, bound to the suite's server and initial access token (read when they run, after `before`). */
export function registrationSteps(currentServer: () => OAuthServer, currentInitialAccessToken: () => string) {
  async function http(method: string, path: string, options: { token?: string | undefined; body?: unknown; raw?: string; contentType?: string; authorization?: string } = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.authorization !== undefined) headers['authorization'] = options.authorization;
    let body: string | undefined;
    if (options.raw !== undefined || options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      body = options.raw ?? JSON.stringify(options.body);
    }
    const response = await fetch(`${currentServer().baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  /** POST /oauth2/register with the initial access token, another token, or (null) none. */
  const register = (body: unknown, token: string | null = currentInitialAccessToken()) => http('POST', '/oauth2/register', { token: token ?? undefined, body });
  const clientPath = (answer: HttpAnswer) => new URL(answer.json['registration_client_uri'] as string).pathname;

  async function applicationCount(): Promise<number> {
    const row = await currentServer().gatehouse.store.db.selectFrom('applications').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
    return Number(row.count);
  }

  function assertOAuthError(answer: HttpAnswer, status: number, error: string, description?: RegExp): void {
    assert.equal(answer.status, status, JSON.stringify(answer.json));
    assert.equal(answer.json['error'], error, JSON.stringify(answer.json));
    if (description !== undefined) assert.match(answer.json['error_description'] as string, description);
  }

  return { http, register, clientPath, applicationCount, assertOAuthError };
}
