import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oauth from 'oauth4webapi';
import type { User } from '@fusionauth/typescript-client';
import { signCompactJws } from '../../src/oauth/tokens/compact-jws.ts';
import { backends } from '../helpers/test-stores.ts';
import { createOAuthApplication, createOAuthUser, mintGrantTokens, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';

const insecure = { [oauth.allowInsecureRequests]: true };

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A failed bearer request: status, RFC 6750 challenge and the RFC 6749 error body. */
function assertBearerError(answer: Answer, status: number, error: string) {
  assert.equal(answer.status, status, answer.text);
  assert.equal(JSON.parse(answer.text).error, error);
  const challenge = answer.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer realm="gatehouse", /);
  assert.match(challenge, new RegExp(`error="${error}"`));
  assert.equal(answer.headers.get('cache-control'), 'no-store');
}

for (const backend of backends) {
  describe(`GET|POST /oauth2/userinfo on ${backend}`, () => {
    let server: OAuthServer;
    let as: oauth.AuthorizationServer;
    let app: OAuthClientApp;
    let user: User;
    let userinfoUrl: string;

    before(async () => {
      server = await startOAuthServer(backend);
      const issuer = new URL(server.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
      app = await createOAuthApplication(server, { application: { roles: [{ name: 'admin' }] } as never });
      user = await createOAuthUser(server, app.application, { roles: ['admin'], user: { username: `ada-${randomUUID()}`, birthDate: '1815-12-10', mobilePhone: '+15555550100' } });
      userinfoUrl = `${server.baseUrl}/oauth2/userinfo`;
    });
    after(async () => {
      await server.close();
    });

    it('answers GET with Bearer with the claims of the granted scopes; sub is the ID token sub (UINFO-01)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid', 'profile', 'email'] });
      const response = await oauth.userInfoRequest(as, app.client, minted.accessToken, insecure);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const claims = await oauth.processUserInfoResponse(as, app.client, decodeJwt(minted.idToken!).sub!, response);
      const stored = (await server.client.retrieveUser(user.id!)).response.user!;
      assert.deepEqual(claims, {
        sub: user.id,
        name: 'Ada Lovelace',
        given_name: 'Ada',
        family_name: 'Lovelace',
        birthdate: '1815-12-10',
        preferred_username: user.username,
        updated_at: Math.floor(stored.lastUpdateInstant! / 1000),
        email: user.email,
        email_verified: stored.verified,
      });
    });

    it('answers POST with the token in the header or in a form body the same way (UINFO-01, UINFO-02)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid', 'email'] });
      const expected = { sub: user.id, email: user.email, email_verified: true };
      const viaHeader = await call(userinfoUrl, { method: 'POST', headers: { authorization: `Bearer ${minted.accessToken}` } });
      assert.equal(viaHeader.status, 200, viaHeader.text);
      assert.deepEqual(JSON.parse(viaHeader.text), expected);
      const viaBody = await call(userinfoUrl, { method: 'POST', body: new URLSearchParams({ access_token: minted.accessToken }) });
      assert.equal(viaBody.status, 200, viaBody.text);
      assert.deepEqual(JSON.parse(viaBody.text), expected);
    });

    it('releases only sub for openid alone, and email only with the email scope (UINFO-05)', async () => {
      const bare = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      assert.deepEqual(JSON.parse((await call(userinfoUrl, { headers: { authorization: `Bearer ${bare.accessToken}` } })).text), { sub: user.id });
      const phone = await mintGrantTokens(server, app, user, { scopes: ['openid', 'phone'] });
      assert.deepEqual(JSON.parse((await call(userinfoUrl, { headers: { authorization: `Bearer ${phone.accessToken}` } })).text), {
        sub: user.id,
        phone_number: '+15555550100',
        phone_number_verified: false,
      });
    });

    it('answers a request without a token 401 with a bare Bearer challenge and no error code (UINFO-03)', async () => {
      for (const init of [{}, { method: 'POST' }, { headers: { authorization: 'Bearer' } }, { headers: { authorization: `Basic ${btoa('a:b')}` } }] as RequestInit[]) {
        const answer = await call(userinfoUrl, init);
        assert.equal(answer.status, 401);
        assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
        assert.equal(answer.text, '');
      }
    });

    it('answers garbage, forged, foreign-key, expired and wrong-issuer tokens 401 invalid_token (UINFO-03)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      const [header, payload, signature] = minted.accessToken.split('.') as [string, string, string];
      const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(minted.accessToken), sub: randomUUID() })).toString('base64url');
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const foreign = signCompactJws({ kid: decodeProtectedHeader(minted.accessToken).kid!, algorithm: 'ES256', key: privateKey }, { typ: 'JWT' }, decodeJwt(minted.accessToken));
      const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: decodeProtectedHeader(minted.accessToken).kid })).toString('base64url')}.${payload}.`;
      // Key confusion (RFC 8725 §2.1): HS256 "signed" with the published public key as the secret.
      const pem = (await server.gatehouse.signingKeys.publicKeyPems()).get(decodeProtectedHeader(minted.accessToken).kid!)!;
      const confusedInput = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: decodeProtectedHeader(minted.accessToken).kid })).toString('base64url')}.${payload}`;
      const confused = `${confusedInput}.${createHmac('sha256', pem).update(confusedInput).digest('base64url')}`;
      const expired = await mintGrantTokens(server, app, user, { scopes: ['openid'], now: Date.now() - 7_200_000 });
      const otherIssuer = await mintGrantTokens(server, app, user, { scopes: ['openid'], issuer: 'https://issuer.example.com' });
      for (const token of ['garbage', 'a.b.c', `${header}.${forgedPayload}.${signature}`, foreign, noneAlg, confused, expired.accessToken, otherIssuer.accessToken]) {
        assertBearerError(await call(userinfoUrl, { headers: { authorization: `Bearer ${token}` } }), 401, 'invalid_token');
      }
      await assert.rejects(
        oauth.processUserInfoResponse(as, app.client, user.id!, await oauth.userInfoRequest(as, app.client, expired.accessToken, insecure)),
        (error: unknown) => error instanceof oauth.WWWAuthenticateChallengeError && error.cause[0]?.parameters.error === 'invalid_token',
      );
    });

    it('answers 401 once the grant is revoked or the user deactivated (UINFO-03)', async () => {
      const revoked = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      assert.equal((await call(userinfoUrl, { headers: { authorization: `Bearer ${revoked.accessToken}` } })).status, 200);
      assert.equal(await server.gatehouse.store.repositories.oauthGrants.revoke(revoked.grantId, Date.now()), true);
      assertBearerError(await call(userinfoUrl, { headers: { authorization: `Bearer ${revoked.accessToken}` } }), 401, 'invalid_token');

      const other = await createOAuthUser(server, app.application);
      const minted = await mintGrantTokens(server, app, other, { scopes: ['openid'] });
      await server.client.deactivateUser(other.id!);
      assertBearerError(await call(userinfoUrl, { headers: { authorization: `Bearer ${minted.accessToken}` } }), 401, 'invalid_token');
    });

    it('refuses the token in the query string, in two places at once, or twice in the body with 400 (UINFO-04)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      assertBearerError(await call(`${userinfoUrl}?access_token=${minted.accessToken}`), 400, 'invalid_request');
      assertBearerError(
        await call(`${userinfoUrl}?access_token=${minted.accessToken}`, { headers: { authorization: `Bearer ${minted.accessToken}` } }),
        400,
        'invalid_request',
      );
      assertBearerError(
        await call(userinfoUrl, { method: 'POST', headers: { authorization: `Bearer ${minted.accessToken}` }, body: new URLSearchParams({ access_token: minted.accessToken }) }),
        400,
        'invalid_request',
      );
      assertBearerError(await call(userinfoUrl, { method: 'POST', body: `access_token=${minted.accessToken}&access_token=${minted.accessToken}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'invalid_request');
      assertBearerError(await call(userinfoUrl, { headers: { authorization: `Bearer ${minted.accessToken} ${minted.accessToken}` } }), 400, 'invalid_request');
    });

    it('refuses a JSON body with 400 invalid_request', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      const answer = await call(userinfoUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: minted.accessToken }) });
      assertBearerError(answer, 400, 'invalid_request');
    });

    it('answers a token without openid 403 insufficient_scope with scope="openid" in the challenge (UINFO-05)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['profile', 'email'] });
      const answer = await call(userinfoUrl, { headers: { authorization: `Bearer ${minted.accessToken}` } });
      assertBearerError(answer, 403, 'insufficient_scope');
      assert.match(answer.headers.get('www-authenticate')!, /scope="openid"/);
    });

    it('refuses an ID token and a refresh token presented as the bearer token (UINFO-06)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid', 'offline_access', 'email'], refreshToken: true, nonce: 'n-0S6_WzA2Mj' });
      const plain = await mintGrantTokens(server, app, user, { scopes: ['openid', 'email'] });
      for (const token of [minted.idToken!, plain.idToken!, minted.refreshToken!]) {
        assertBearerError(await call(userinfoUrl, { headers: { authorization: `Bearer ${token}` } }), 401, 'invalid_token');
      }
    });

    it('in Compatibility mode releases every claim plus applicationId and roles, openid or not', async () => {
      const compatible = await createOAuthApplication(server, { oauthConfiguration: { scopeHandlingPolicy: 'Compatibility' as never }, application: { roles: [{ name: 'admin' }] } as never });
      await server.client.register(user.id!, { registration: { applicationId: compatible.clientId, roles: ['admin'] } });
      const minted = await mintGrantTokens(server, compatible, user, { scopes: ['offline_access'] });
      const answer = await call(userinfoUrl, { headers: { authorization: `Bearer ${minted.accessToken}` } });
      assert.equal(answer.status, 200, answer.text);
      const claims = JSON.parse(answer.text) as Record<string, unknown>;
      assert.equal(claims['sub'], user.id);
      assert.equal(claims['email'], user.email);
      assert.equal(claims['given_name'], 'Ada');
      assert.equal(claims['phone_number'], '+15555550100');
      assert.equal(claims['applicationId'], compatible.clientId);
      assert.deepEqual(claims['roles'], ['admin']);
    });

    it('accepts a Login API JWT while its refresh token lives (403 in Strict mode: no openid), 401 after logout', async () => {
      const login = await createOAuthApplication(server, { application: { loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true } } as never });
      const member = await createOAuthUser(server, login.application);
      const session = (await server.client.login({ loginId: member.email!, password: testPassword, applicationId: login.clientId })).response;
      assert.equal(decodeJwt(session.token!)['sid'], session.refreshTokenId);
      assertBearerError(await call(userinfoUrl, { headers: { authorization: `Bearer ${session.token}` } }), 403, 'insufficient_scope');
      await server.client.revokeRefreshTokenById(session.refreshTokenId!);
      assertBearerError(await call(userinfoUrl, { headers: { authorization: `Bearer ${session.token}` } }), 401, 'invalid_token');
    });

    it('verifies tokens signed with every kind of key Key Master makes, HMAC included (never published)', async () => {
      for (const [algorithm, jose] of [['RS256', 'RS256'], ['RS512', 'RS512'], ['ES512', 'ES512'], ['Ed25519', 'EdDSA'], ['HS256', 'HS256'], ['HS512', 'HS512']] as const) {
        const key = (await server.client.generateKey('', { key: { algorithm: algorithm as never, name: `${algorithm} ${randomUUID()}`, ...(algorithm.startsWith('RS') ? { length: 2048 } : {}) } })).response.key!;
        const signed = await createOAuthApplication(server, { application: { jwtConfiguration: { enabled: true, timeToLiveInSeconds: 600, accessTokenKeyId: key.id } } as never });
        await server.client.register(user.id!, { registration: { applicationId: signed.clientId } });
        const minted = await mintGrantTokens(server, signed, user, { scopes: ['openid'] });
        assert.equal(decodeProtectedHeader(minted.accessToken).alg, jose);
        const answer = await call(userinfoUrl, { headers: { authorization: `Bearer ${minted.accessToken}` } });
        assert.equal(answer.status, 200, `${algorithm}: ${answer.text}`);
        assert.deepEqual(JSON.parse(answer.text), { sub: user.id });
        const [header, payload, signature] = minted.accessToken.split('.') as [string, string, string];
        const flipped = `${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
        assertBearerError(await call(userinfoUrl, { headers: { authorization: `Bearer ${flipped}` } }), 401, 'invalid_token');
      }
    });

    it('lets browsers call it from any origin: CORS preflight and headers', async () => {
      const preflight = await call(userinfoUrl, { method: 'OPTIONS', headers: { origin: 'https://spa.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.match(preflight.headers.get('access-control-allow-headers')!, /Authorization/);
      const failed = await call(userinfoUrl, { headers: { origin: 'https://spa.example.com' } });
      assert.equal(failed.headers.get('access-control-allow-origin'), '*');
      assert.equal(failed.headers.get('access-control-expose-headers'), 'WWW-Authenticate');
    });
  });
}
