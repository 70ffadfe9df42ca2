import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { renderConsentPage } from '../../src/ui/consent-page.ts';
import { defaultTheme } from '../../src/ui/theme.ts';
import { createBrowserAgent, parseForm, type AgentResult } from '../helpers/browser-agent.ts';
import { publicJwk, startUpstreamProvider, type UpstreamProvider } from '../helpers/upstream-provider.ts';

// Proves the test upstream with oauth4webapi as a plain relying party: nothing of Gatehouse runs here.
const rpRedirectUri = 'http://127.0.0.1:9/rp/callback'; // nobody listens: the agent stops before it
const insecure = { [oauth.allowInsecureRequests]: true };

interface Rp {
  readonly as: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  readonly auth: oauth.ClientAuth;
}

async function relyingParty(upstream: UpstreamProvider, auth = oauth.ClientSecretBasic(upstream.clientSecret)): Promise<Rp> {
  const issuer = new URL(upstream.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' }));
  return { as, client: { client_id: upstream.clientId, id_token_signed_response_alg: 'ES256' }, auth };
}

interface Authorization {
  readonly result: AgentResult;
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

async function authorize(rp: Rp, parameters: Record<string, string> = {}, pkce = true): Promise<Authorization> {
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(rp.as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: rp.client.client_id,
    redirect_uri: rpRedirectUri,
    response_type: 'code',
    scope: 'openid email profile offline_access',
    prompt: 'consent',
    state,
    nonce,
    ...(pkce ? { code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' } : {}),
    ...parameters,
  }).toString();
  const result = await createBrowserAgent().get(url, { stopAt: (target) => target.href.startsWith(rpRedirectUri) });
  assert.equal(result.stopped, true, `the walk ended at ${result.finalUrl.href} (${result.response.status})`);
  return { result, state, nonce, verifier };
}

async function exchange(rp: Rp, authorization: Authorization): Promise<oauth.TokenEndpointResponse> {
  const callback = oauth.validateAuthResponse(rp.as, rp.client, authorization.result.finalUrl, authorization.state);
  const response = await oauth.authorizationCodeGrantRequest(rp.as, rp.client, rp.auth, callback, rpRedirectUri, authorization.verifier, insecure);
  return oauth.processAuthorizationCodeResponse(rp.as, rp.client, response, { expectedNonce: authorization.nonce, requireIdToken: true });
}

async function userinfo(rp: Rp, tokens: oauth.TokenEndpointResponse, sub: string): Promise<oauth.UserInfoResponse> {
  return oauth.processUserInfoResponse(rp.as, rp.client, sub, await oauth.userInfoRequest(rp.as, rp.client, tokens.access_token, insecure));
}

describe('test upstream oidc-provider', () => {
  let upstream: UpstreamProvider;
  let rp: Rp;
  before(async () => {
    upstream = await startUpstreamProvider({ redirectUris: [rpRedirectUri] });
    rp = await relyingParty(upstream);
  });
  after(async () => {
    await upstream.close();
  });

  it('logs the first account in without a browser: code + PKCE + nonce, iss on the response, userinfo claims', async () => {
    assert.equal(rp.as.authorization_response_iss_parameter_supported, true);
    const authorization = await authorize(rp);
    const hops = authorization.result.hops;
    assert.ok(hops.some((hop) => new URL(hop.url).pathname.startsWith('/interaction/')), 'the interaction was served');
    assert.ok(hops.length <= 6, `a short chain: ${hops.map((hop) => hop.url).join(' -> ')}`);
    const callback = authorization.result.finalUrl.searchParams;
    assert.equal(callback.get('iss'), upstream.issuer);
    assert.equal(callback.get('state'), authorization.state);
    assert.ok(callback.get('code'));

    const tokenRequests = upstream.tokenRequests;
    const tokens = await exchange(rp, authorization);
    assert.equal(upstream.tokenRequests, tokenRequests + 1);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, createLocalJWKSet({ keys: [publicJwk(upstream.signingKey)] }), {
      issuer: upstream.issuer,
      audience: upstream.clientId,
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload['nonce'], authorization.nonce);
    assert.equal(payload['email'], undefined, 'scope claims come from userinfo (conformIdTokenClaims)');

    assert.deepEqual(await userinfo(rp, tokens, 'alice'), { sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice Upstream', preferred_username: 'alice' });
  });

  it('issues a refresh token for offline_access with prompt=consent and rotates it on use', async () => {
    const tokens = await exchange(rp, await authorize(rp));
    const first = tokens.refresh_token;
    assert.ok(first);
    const refreshed = await oauth.processRefreshTokenResponse(rp.as, rp.client, await oauth.refreshTokenGrantRequest(rp.as, rp.client, rp.auth, first, insecure));
    assert.ok(refreshed.access_token);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, first);
    assert.equal((await userinfo(rp, refreshed, 'alice')).email, 'alice@example.com');

    await assert.rejects(
      oauth.processRefreshTokenResponse(rp.as, rp.client, await oauth.refreshTokenGrantRequest(rp.as, rp.client, rp.auth, first, insecure)),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
    );
  });

  it('drops offline_access (no refresh token) when the request lacks prompt=consent', async () => {
    const tokens = await exchange(rp, await authorize(rp, { prompt: 'login' }));
    assert.equal(tokens.refresh_token, undefined);
    assert.equal(tokens.scope?.split(' ').includes('offline_access'), false);
  });

  it('logs in the account queued by nextLogin, else the login_hint', async () => {
    upstream.nextLogin('bob');
    const bob = await exchange(rp, await authorize(rp));
    assert.equal(oauth.getValidatedIdTokenClaims(bob)!.sub, 'bob');
    assert.deepEqual(await userinfo(rp, bob, 'bob'), { sub: 'bob', email: 'bob@example.com', email_verified: false, name: 'Bob Upstream', preferred_username: 'bob' });

    const carol = await exchange(rp, await authorize(rp, { login_hint: 'carol' }));
    assert.deepEqual(await userinfo(rp, carol, 'carol'), { sub: 'carol', name: 'Carol Upstream', preferred_username: 'carol' });

    const byEmail = await exchange(rp, await authorize(rp, { login_hint: 'bob@example.com' }));
    assert.equal(oauth.getValidatedIdTokenClaims(byEmail)!.sub, 'bob');
    assert.throws(() => upstream.nextLogin('mallory'), /unknown upstream account/);
  });

  it('answers with the queued error, carrying state and iss', async () => {
    upstream.nextLoginError('access_denied');
    const authorization = await authorize(rp);
    const callback = authorization.result.finalUrl.searchParams;
    assert.equal(callback.get('error'), 'access_denied');
    assert.equal(callback.get('state'), authorization.state);
    assert.equal(callback.get('iss'), upstream.issuer);
    assert.equal(callback.get('code'), null);
    assert.throws(() => oauth.validateAuthResponse(rp.as, rp.client, authorization.result.finalUrl, authorization.state), (error: unknown) => error instanceof oauth.AuthorizationResponseError && error.error === 'access_denied');

    // The queue is consumed: the next authorization succeeds again.
    assert.ok((await authorize(rp)).result.finalUrl.searchParams.get('code'));
  });

  it('requires PKCE from the confidential client', async () => {
    const authorization = await authorize(rp, {}, false);
    const callback = authorization.result.finalUrl.searchParams;
    assert.equal(callback.get('error'), 'invalid_request');
    assert.equal(callback.get('state'), authorization.state);
  });

  it('refuses an unregistered redirect URI until addRedirectUri registers it', async () => {
    const other = 'http://127.0.0.1:9/other/callback';
    const url = new URL(rp.as.authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: upstream.clientId, redirect_uri: other, response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }).toString();
    const refused = await createBrowserAgent().get(url, { stopAt: (target) => target.href.startsWith(other) });
    assert.equal(refused.stopped, false);
    assert.equal(refused.response.status, 400);
    await refused.response.body?.cancel();

    upstream.addRedirectUri(other);
    const accepted = await createBrowserAgent().get(url, { stopAt: (target) => target.href.startsWith(other) });
    assert.equal(accepted.stopped, true);
    assert.ok(accepted.finalUrl.searchParams.get('code'));
  });
});

describe('test upstream options', () => {
  it('authenticates with client_secret_post and puts scope claims in the ID token on request', async () => {
    await using upstream = await startUpstreamProvider({
      redirectUris: [rpRedirectUri],
      tokenEndpointAuthMethod: 'client_secret_post',
      claimsInIdToken: true,
      accounts: [{ sub: 'dave', email: 'dave@example.com', email_verified: true }],
    });
    const rp = await relyingParty(upstream, oauth.ClientSecretPost(upstream.clientSecret));
    const tokens = await exchange(rp, await authorize(rp));
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    assert.equal(claims.sub, 'dave');
    assert.equal(claims['email'], 'dave@example.com');
    assert.equal(claims['email_verified'], true);

    const basic = await relyingParty(upstream);
    await assert.rejects(exchange(basic, await authorize(basic)), (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_client');
  });
});

describe('browser agent', () => {
  it('parses the first form of a hosted page as a browser would submit it', () => {
    const page = renderConsentPage(defaultTheme, {
      tenantId: undefined,
      applicationName: 'App',
      account: 'alice@example.com',
      action: '/oauth2/consent?x=1&y=2',
      hidden: [['state', 'a"b&c<d>\'e`'], ['client_id', 'abc']],
      scopes: [
        { name: 'openid', message: 'Sign you in', detail: undefined, required: true },
        { name: 'email', message: 'See your email', detail: undefined, required: false },
      ],
    });
    const form = parseForm(page.body, 'http://127.0.0.1:9011/oauth2/authorize');
    assert.equal(form.action.href, 'http://127.0.0.1:9011/oauth2/consent?x=1&y=2');
    assert.equal(form.method, 'POST');
    assert.deepEqual(form.fields, [['state', 'a"b&c<d>\'e`'], ['client_id', 'abc'], ['scope_choice', 'email'], ['decision', 'allow']]);
  });

  it('keeps cookies per host:port and path, deletes expired ones, and follows redirects like a browser', async () => {
    const seen: Array<{ method: string; path: string; cookie: string | undefined; body: string }> = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const path = request.url ?? '/';
        seen.push({ method: request.method ?? '', path, cookie: request.headers.cookie, body });
        if (path === '/set') response.writeHead(303, { location: '/deep/page', 'set-cookie': ['a=1; Path=/; HttpOnly', 'b=2; Path=/deep', 'c=3; Max-Age=60', 'd=4; Path=/deeper'] }).end();
        else if (path === '/clear') response.writeHead(302, { location: '/deep/page', 'set-cookie': ['a=; Path=/; Max-Age=0', 'b=; Path=/deep; Expires=Thu, 01 Jan 1970 00:00:00 GMT'] }).end();
        else if (path === '/keep') response.writeHead(307, { location: '/echo' }).end();
        else if (path === '/loop') response.writeHead(302, { location: '/loop' }).end();
        else response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const agent = createBrowserAgent();
      const set = await agent.post(`${origin}/set`, { x: '1' });
      assert.deepEqual(set.hops.map((hop) => [new URL(hop.url).pathname, hop.status]), [['/set', 303], ['/deep/page', 200]]);
      assert.equal(await set.response.text(), 'ok');
      assert.deepEqual(seen.at(-1), { method: 'GET', path: '/deep/page', cookie: 'b=2; a=1; c=3', body: '' });
      assert.deepEqual([...agent.cookies(origin)].sort(), [['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']]);
      assert.equal(agent.cookies(origin.replace('127.0.0.1', 'localhost')).size, 0, 'another host:port has its own jar');

      await agent.post(`${origin}/clear`, { x: '1' });
      assert.deepEqual(seen.at(-1), { method: 'GET', path: '/deep/page', cookie: 'c=3', body: '' });

      await agent.post(`${origin}/keep`, { x: '2' });
      assert.deepEqual(seen.at(-1), { method: 'POST', path: '/echo', cookie: 'c=3', body: 'x=2' });

      const stopped = await agent.get(`${origin}/set`, { stopAt: (url) => url.pathname === '/deep/page' });
      assert.equal(stopped.stopped, true);
      assert.equal(stopped.finalUrl.href, `${origin}/deep/page`);
      assert.equal(stopped.response.status, 303);

      await assert.rejects(agent.get(`${origin}/loop`, { maxHops: 3 }), /more than 3 redirects/);
      assert.equal(seen.filter((request) => request.path === '/loop').length, 4);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
