import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import type { User } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { basicAuthorization, createOAuthApplication, createOAuthUser, mintGrantTokens, startOAuthServer, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';

const insecure = { [oauth.allowInsecureRequests]: true };

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
}

for (const backend of backends) {
  describe(`POST /oauth2/introspect on ${backend}`, () => {
    let server: OAuthServer;
    let as: oauth.AuthorizationServer;
    let app: OAuthClientApp;
    let other: OAuthClientApp;
    let publicApp: OAuthClientApp;
    let user: User;

    before(async () => {
      server = await startOAuthServer(backend);
      const issuer = new URL(server.issuer);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
      app = await createOAuthApplication(server, { application: { roles: [{ name: 'admin' }] } as never });
      other = await createOAuthApplication(server);
      publicApp = await createOAuthApplication(server, { oauthConfiguration: { clientAuthenticationPolicy: 'NotRequired' as never } });
      user = await createOAuthUser(server, app.application, { roles: ['admin'] });
      for (const each of [other, publicApp]) await server.client.register(user.id!, { registration: { applicationId: each.clientId } });
    });
    after(async () => {
      await server.close();
    });

    async function introspect(body: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Answer> {
      const response = await fetch(`${server.baseUrl}/oauth2/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: typeof body === 'string' ? body : new URLSearchParams(body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    }

    const asClient = (client: OAuthClientApp) => ({ authorization: basicAuthorization(client.clientId, client.clientSecret) });

    function assertInactive(answer: Answer) {
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      assert.deepEqual(answer.json, { active: false });
      assert.equal(answer.headers.get('cache-control'), 'no-store');
    }

    it('describes an active access token to its client: RFC 7662 members plus FusionAuth claims (INT-04)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid', 'email'] });
      const response = await oauth.introspectionRequest(as, app.client, oauth.ClientSecretBasic(app.clientSecret), minted.accessToken, insecure);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const result: Record<string, unknown> = await oauth.processIntrospectionResponse(as, app.client, response);
      const claims = decodeJwt(minted.accessToken);
      assert.deepEqual({ ...result }, { active: true, ...claims, client_id: app.clientId, token_type: 'Bearer' });
      assert.equal(result['scope'], 'openid email');
      assert.equal(result['sub'], user.id);
      assert.equal(result['aud'], app.clientId);
      assert.equal(result['iss'], server.issuer);
      assert.equal(result['sid'], minted.grantId);
      assert.deepEqual(result['roles'], ['admin']);
      assert.equal(typeof result['exp'], 'number');
      assert.equal(typeof result['iat'], 'number');
      const viaPost = await oauth.processIntrospectionResponse(as, app.client, await oauth.introspectionRequest(as, app.client, oauth.ClientSecretPost(app.clientSecret), minted.accessToken, insecure));
      assert.equal(viaPost.active, true);
    });

    it('finds refresh tokens with any, a wrong or no token_type_hint (INT-05)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid', 'offline_access'], refreshToken: true });
      const record = (await server.gatehouse.store.repositories.refreshTokens.find(minted.grantId))!;
      for (const hint of [undefined, 'refresh_token', 'access_token', 'id_token', 'something_else']) {
        const answer = await introspect({ token: minted.refreshToken!, ...(hint === undefined ? {} : { token_type_hint: hint }) }, asClient(app));
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.json, {
          active: true,
          client_id: app.clientId,
          sub: user.id,
          aud: app.clientId,
          iss: server.issuer,
          exp: Math.floor(record.expirationInstant / 1000),
          iat: Math.floor(record.insertInstant / 1000),
          scope: 'openid offline_access',
          tid: user.tenantId,
          token_type: 'refresh_token',
        });
      }
      const accessWithRefreshHint = await introspect({ token: minted.accessToken, token_type_hint: 'refresh_token' }, asClient(app));
      assert.equal(accessWithRefreshHint.json['active'], true);
    });

    it('answers exactly {"active":false} for garbage, unknown, ID tokens and expired tokens (INT-02, INT-03)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      const expired = await mintGrantTokens(server, app, user, { scopes: ['openid'], now: Date.now() - 7_200_000 });
      const [header, , signature] = minted.accessToken.split('.');
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(minted.accessToken), scope: 'openid admin' })).toString('base64url')}.${signature}`;
      for (const token of ['garbage', 'a.b.c', '...', 'x'.repeat(4096), minted.idToken!, expired.accessToken, tampered, 'A'.repeat(43)]) {
        assertInactive(await introspect({ token }, asClient(app)));
      }
    });

    it('answers {"active":false} once the grant is revoked, for its access and its refresh token (INT-03)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid', 'offline_access'], refreshToken: true });
      assert.equal((await introspect({ token: minted.accessToken }, asClient(app))).json['active'], true);
      await server.gatehouse.store.repositories.oauthGrants.revoke(minted.grantId, Date.now());
      assertInactive(await introspect({ token: minted.accessToken }, asClient(app)));
      assertInactive(await introspect({ token: minted.refreshToken! }, asClient(app)));
    });

    it('answers {"active":false} for a deactivated user and for another client\'s tokens (INT-03)', async () => {
      const minted = await mintGrantTokens(server, other, user, { scopes: ['openid', 'offline_access'], refreshToken: true });
      assertInactive(await introspect({ token: minted.accessToken }, asClient(app)));
      assertInactive(await introspect({ token: minted.refreshToken! }, asClient(app)));
      assert.equal((await introspect({ token: minted.accessToken }, asClient(other))).json['active'], true);

      const leaving = await createOAuthUser(server, app.application);
      const theirs = await mintGrantTokens(server, app, leaving, { scopes: ['openid', 'offline_access'], refreshToken: true });
      await server.client.deactivateUser(leaving.id!);
      assertInactive(await introspect({ token: theirs.accessToken }, asClient(app)));
      assertInactive(await introspect({ token: theirs.refreshToken! }, asClient(app)));
    });

    it('requires client authentication from a confidential client: 401 invalid_client (INT-01)', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      for (const [body, headers] of [
        [{ token: minted.accessToken }, {}],
        [{ token: minted.accessToken, client_id: app.clientId }, {}],
        [{ token: minted.accessToken, client_id: app.clientId, client_secret: 'wrong' }, {}],
        [{ token: minted.accessToken }, { authorization: basicAuthorization(app.clientId, 'wrong') }],
        [{ token: minted.accessToken }, { authorization: basicAuthorization('00000000-0000-4000-8000-000000000000', app.clientSecret) }],
      ] as [Record<string, string>, Record<string, string>][]) {
        const answer = await introspect(body, headers);
        assert.equal(answer.status, 401, JSON.stringify(answer.json));
        assert.equal(answer.json['error'], 'invalid_client');
        assert.equal(answer.json['active'], undefined);
      }
      const basic = await introspect({ token: minted.accessToken }, { authorization: basicAuthorization(app.clientId, 'wrong') });
      assert.match(basic.headers.get('www-authenticate')!, /^Basic /);
    });

    it('lets a public client introspect its own tokens with client_id alone, and only those', async () => {
      const own = await mintGrantTokens(server, publicApp, user, { scopes: ['openid', 'offline_access'], refreshToken: true });
      const none = oauth.None();
      const result = await oauth.processIntrospectionResponse(as, publicApp.client, await oauth.introspectionRequest(as, publicApp.client, none, own.accessToken, insecure));
      assert.equal(result.active, true);
      assert.equal((await introspect({ token: own.refreshToken!, client_id: publicApp.clientId })).json['active'], true);
      const foreign = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      assertInactive(await introspect({ token: foreign.accessToken, client_id: publicApp.clientId }));
    });

    it('requires the token: 400 invalid_request after client authentication (INT-06)', async () => {
      const answer = await introspect({}, asClient(app));
      assert.equal(answer.status, 400);
      assert.equal(answer.json['error'], 'invalid_request');
      assert.equal(answer.json['error_reason'], 'missing_token');
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.equal((await introspect({ token: '' }, asClient(app))).status, 400);
    });

    it('refuses duplicate parameters, JSON bodies and methods other than POST', async () => {
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      const duplicate = await introspect(`token=${minted.accessToken}&token=${minted.accessToken}`, asClient(app));
      assert.equal(duplicate.status, 400);
      assert.equal(duplicate.json['error'], 'invalid_request');
      const json = await introspect(JSON.stringify({ token: minted.accessToken }), { ...asClient(app), 'content-type': 'application/json' });
      assert.equal(json.status, 400);
      assert.equal(json.json['error'], 'invalid_request');
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const response = await fetch(`${server.baseUrl}/oauth2/introspect?token=${minted.accessToken}`, { method, headers: asClient(app) });
        assert.equal(response.status, 405);
        assert.equal(response.headers.get('allow'), 'POST');
        assert.equal(((await response.json()) as Record<string, unknown>)['error'], 'invalid_request');
      }
    });
  });
}
