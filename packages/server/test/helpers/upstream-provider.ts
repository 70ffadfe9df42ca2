/**
 * A real `oidc-provider` upstream in-process on 127.0.0.1 (a random port), with one static confidential
 * client and an ES256 signing key the test knows, so tests can sign ID tokens the upstream's JWKS
 * verifies. `publishKeys` replaces the served JWKS (key rotation); `requests` counts requests per path.
 * Close it with `close()` (or `await using`).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export interface UpstreamProvider extends AsyncDisposable {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  /** The private signing key the provider publishes (its public half) and signs with. */
  readonly signingKey: JWK & { kid: string };
  /** Requests per path (without query) since start. */
  readonly requests: Map<string, number>;
  /** Serve these keys at the JWKS URI instead of the provider's own; undefined restores them. */
  publishKeys(keys: readonly JWK[] | undefined): void;
  close(): Promise<void>;
}

interface Provider {
  callback(): (request: http.IncomingMessage, response: http.ServerResponse) => void;
}

const moduleName = 'oidc-provider'; // the package ships no type declarations

export function generateSigningKey(kid: string): JWK & { kid: string } {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { ...jwk, kid, alg: 'ES256', use: 'sig' } as JWK & { kid: string };
}

export function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

export async function startUpstreamProvider(): Promise<UpstreamProvider> {
  const ProviderClass = ((await import(moduleName)) as { default: new (issuer: string, configuration: object) => Provider }).default;
  const requests = new Map<string, number>();
  let published: readonly JWK[] | undefined;
  let handle: (request: http.IncomingMessage, response: http.ServerResponse) => void = (_request, response) => response.writeHead(503).end();

  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (path === '/jwks' && published !== undefined) {
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: published }));
      return;
    }
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateSigningKey('upstream-es256');
  const clientId = 'gatehouse-upstream-client';
  const clientSecret = randomBytes(24).toString('base64url');
  const redirectUri = 'http://127.0.0.1:9011/oauth2/callback';
  const provider = new ProviderClass(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false } },
  });
  handle = provider.callback();

  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    issuer,
    clientId,
    clientSecret,
    redirectUri,
    signingKey,
    requests,
    publishKeys: (keys) => {
      published = keys;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
