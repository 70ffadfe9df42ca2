import { randomUUID } from 'node:crypto';
import type { Application, FusionAuthClient, OAuth2Configuration, User } from '@fusionauth/typescript-client';
import * as oauth from 'oauth4webapi';
import { hashAuthorizationCode, generateAuthorizationCode } from '../../src/oauth/tokens/authorization-code-value.ts';
import { codeChallengeFor, type CodeChallengeMethod } from '../../src/oauth/pkce.ts';
import type { StoreBackend } from '../../src/store/store.ts';
import { effectiveJwtConfiguration } from '../../src/identity/login/token-settings.ts';
import { newRefreshToken } from '../../src/identity/refresh-tokens.ts';
import { issueGrantTokens } from '../../src/oauth/tokens/grant-tokens.ts';
import { issuerFor } from '../../src/oauth/tokens/issuer.ts';
import type { OAuthGrant } from '../../src/store/repositories/oauth-grant-repository.ts';
import { serveWithClient } from './fusionauth-client.ts';
import { createTestApp, type TestApp } from './test-app.ts';

/** A Gatehouse listening on 127.0.0.1 with the management client, for the OAuth suites. */
export interface OAuthServer {
  readonly gatehouse: TestApp;
  readonly client: FusionAuthClient;
  readonly baseUrl: string;
  /** The default tenant's issuer: the server's URL (no tenant issuer configured). */
  readonly issuer: string;
  /** Authorization server metadata for oauth4webapi / openid-client, written by hand (discovery is another endpoint). */
  readonly as: oauth.AuthorizationServer;
  close(): Promise<void>;
}

/** Starts a set-up Gatehouse; `now` replaces the app's clock (tests move it to expire codes and tokens). */
export async function startOAuthServer(backend: StoreBackend, options: Parameters<typeof createTestApp>[1] = {}): Promise<OAuthServer> {
  const gatehouse = await createTestApp(backend, options);
  const { client, baseUrl } = await serveWithClient(gatehouse);
  const as: oauth.AuthorizationServer = {
    issuer: baseUrl,
    token_endpoint: `${baseUrl}/oauth2/token`,
    jwks_uri: `${baseUrl}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: ['ES256'],
  };
  return { gatehouse, client, baseUrl, issuer: baseUrl, as, close: () => gatehouse.close() };
}

/** An OAuth client as the tests hold it: the application, its id and secret. */
export interface OAuthClientApp {
  readonly application: Application;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  /** Client metadata for oauth4webapi (ES256 ID tokens, Gatehouse's default). */
  readonly client: oauth.Client;
}

/** Creates an application (in the default tenant unless told) through the management API; `oauthConfiguration` overrides the defaults below. */
export async function createOAuthApplication(
  server: OAuthServer,
  options: { readonly oauthConfiguration?: OAuth2Configuration; readonly application?: Application; readonly tenantId?: string; readonly redirectUri?: string } = {},
): Promise<OAuthClientApp> {
  const redirectUri = options.redirectUri ?? 'https://app.example.com/callback';
  const response = await server.client.createApplication('', {
    application: {
      name: `OAuth app ${randomUUID()}`,
      tenantId: options.tenantId ?? server.gatehouse.setup.defaultTenantId,
      ...options.application,
      oauthConfiguration: {
        authorizedRedirectURLs: [redirectUri],
        enabledGrants: ['authorization_code', 'refresh_token', 'password'] as never,
        generateRefreshTokens: true,
        ...options.oauthConfiguration,
      },
    },
  });
  const application = response.response.application!;
  return {
    application,
    clientId: application.id!,
    clientSecret: application.oauthConfiguration!.clientSecret!,
    redirectUri,
    client: { client_id: application.id!, id_token_signed_response_alg: 'ES256' },
  };
}

export const testPassword = 'correct horse battery staple';

/** A user with a password (of the default tenant unless told), registered to `application` with `roles` when one is given. */
export async function createOAuthUser(
  server: OAuthServer,
  application: Application | undefined,
  options: { readonly roles?: string[]; readonly user?: User; readonly tenantId?: string } = {},
): Promise<User> {
  const user: User = {
    email: `${randomUUID()}@example.com`,
    password: testPassword,
    firstName: 'Ada',
    lastName: 'Lovelace',
    tenantId: options.tenantId ?? server.gatehouse.setup.defaultTenantId,
    ...options.user,
  };
  if (application === undefined) return (await server.client.createUser('', { user })).response.user!;
  return (await server.client.register('', { user, registration: { applicationId: application.id!, roles: options.roles ?? [] } })).response.user!;
}

/** What an authorization request left behind: the code value the client holds and the grant behind it. */
export interface SeededCode {
  readonly code: string;
  readonly grantId: string;
  readonly codeVerifier: string | undefined;
}

export interface SeedCodeOptions {
  readonly scopes?: readonly string[];
  readonly nonce?: string;
  /** PKCE method of the authorization request; `'none'` issues the code without a challenge. */
  readonly pkce?: CodeChallengeMethod | 'none';
  readonly redirectUri?: string;
  /** Epoch millis of the (fictional) login; default: now. */
  readonly authenticatedInstant?: number;
  readonly timeToLiveInSeconds?: number;
  readonly now?: number;
}

/**
 * Stands in for /oauth2/authorize: writes the grant and the authorization code (hashed) straight into
 * the store, as the authorize endpoint does after a login, and returns the code value and its verifier.
 */
export async function seedAuthorizationCode(server: OAuthServer, app: OAuthClientApp, user: User, options: SeedCodeOptions = {}): Promise<SeededCode> {
  const now = options.now ?? Date.now();
  const code = generateAuthorizationCode();
  const pkce = options.pkce ?? 'S256';
  const codeVerifier = pkce === 'none' ? undefined : oauth.generateRandomCodeVerifier();
  const grantId = randomUUID();
  await server.gatehouse.store.transaction(async (repositories) => {
    await repositories.oauthGrants.insert({
      id: grantId,
      tenantId: user.tenantId!,
      userId: user.id!,
      applicationId: app.clientId,
      sessionId: undefined,
      grantType: 'authorization_code',
      scopes: options.scopes ?? ['openid', 'offline_access', 'profile', 'email'],
      authenticationType: 'PASSWORD',
      authenticatedInstant: options.authenticatedInstant ?? now,
      insertInstant: now,
      revokedInstant: undefined,
    });
    await repositories.authorizationCodes.insert({
      codeHash: hashAuthorizationCode(code),
      grantId,
      redirectUri: options.redirectUri ?? app.redirectUri,
      nonce: options.nonce,
      codeChallenge: codeVerifier === undefined || pkce === 'none' ? undefined : codeChallengeFor(codeVerifier, pkce),
      codeChallengeMethod: pkce === 'none' ? undefined : pkce,
      expirationInstant: now + (options.timeToLiveInSeconds ?? 30) * 1000,
      consumedInstant: undefined,
    });
  });
  return { code, grantId, codeVerifier };
}

/** The callback URL the browser would land on, as oauth4webapi's validateAuthResponse reads it. */
export function callbackParameters(server: OAuthServer, app: OAuthClientApp, code: string): URLSearchParams {
  const url = new URL(app.redirectUri);
  url.searchParams.set('code', code);
  url.searchParams.set('iss', server.issuer);
  return oauth.validateAuthResponse(server.as, app.client, url, oauth.skipStateCheck);
}

/** A raw form POST to the token endpoint, for the requests no client library would send. */
export async function postToken(server: OAuthServer, body: string | URLSearchParams | Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const form = typeof body === 'string' ? body : new URLSearchParams(body).toString();
  const response = await fetch(`${server.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** `Authorization: Basic` as RFC 6749 §2.3.1 builds it: id and secret form-urlencoded, then base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** The tokens of a grant minted straight from the domain functions, as the token endpoint would issue them. */
export interface MintedGrant {
  readonly grantId: string;
  readonly accessToken: string;
  readonly idToken: string | undefined;
  /** Only when asked for: its record id is the grant id. */
  readonly refreshToken: string | undefined;
}

/**
 * Writes an `oauth_grants` row and signs its access (and ID) token with issueGrantTokens; with
 * `refreshToken`, stores a refresh token whose id is the grant id. For the suites that need tokens
 * without going through /oauth2/authorize or /oauth2/token.
 */
export async function mintGrantTokens(
  server: OAuthServer,
  app: OAuthClientApp,
  user: User,
  options: { readonly scopes?: readonly string[]; readonly refreshToken?: boolean; readonly grantType?: string; readonly issuer?: string; readonly nonce?: string; readonly now?: number } = {},
): Promise<MintedGrant> {
  const { repositories } = server.gatehouse.store;
  const now = options.now ?? Date.now();
  const scopes = options.scopes ?? ['openid', 'offline_access', 'profile', 'email'];
  const tenant = (await repositories.tenants.find(user.tenantId!))!;
  const application = (await repositories.applications.find(app.clientId))!;
  const storedUser = (await repositories.users.find(user.id!))!;
  const registration = await repositories.registrations.find(user.id!, app.clientId);
  const grant: OAuthGrant = {
    id: randomUUID(),
    tenantId: tenant.id,
    userId: storedUser.id,
    applicationId: application.id,
    sessionId: undefined,
    grantType: options.grantType ?? 'password',
    scopes,
    authenticationType: 'PASSWORD',
    authenticatedInstant: now,
    insertInstant: now,
    revokedInstant: undefined,
  };
  await repositories.oauthGrants.insert(grant);
  const issuer = options.issuer ?? issuerFor(tenant.settings, { baseUrl: server.baseUrl });
  const tokens = await issueGrantTokens(server.gatehouse.signingKeys, { tenant, application, user: storedUser, registration, grant, scopes, issuer, now, nonce: options.nonce });
  let refreshToken: string | undefined;
  if (options.refreshToken === true) {
    const issued = newRefreshToken({ tenantId: tenant.id, userId: storedUser.id, applicationId: application.id, metaData: { scopes } }, effectiveJwtConfiguration(tenant, application), now);
    await repositories.refreshTokens.insert({ ...issued.record, id: grant.id });
    refreshToken = issued.value;
  }
  return { grantId: grant.id, accessToken: tokens.accessToken.token, idToken: tokens.idToken, refreshToken };
}
