import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import type { User } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import {
  basicAuthorization,
  createOAuthApplication,
  createOAuthUser,
  mintGrantTokens,
  startOAuthServer,
  testPassword,
  type MintedGrant,
  type OAuthClientApp,
  type OAuthServer,
} from '../helpers/oauth-fixtures.ts';

const insecure = { [oauth.allowInsecureRequests]: true };

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

for (const backend of backends) {
  describe(`POST /oauth2/revoke on ${backend}`, () => {
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
      app = await createOAuthApplication(server, { application: { loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true } } as never });
      other = await createOAuthApplication(server);
      publicApp = await createOAuthApplication(server, { oauthConfiguration: { clientAuthenticationPolicy: 'NotRequiredWhenUsingPKCE' as never } });
      user = await createOAuthUser(server, app.application);
      for (const each of [other, publicApp]) await server.client.register(user.id!, { registration: { applicationId: each.clientId } });
    });
    after(async () => {
      await server.close();
    });

    async function post(url: string, body: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Answer> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: typeof body === 'string' ? body : new URLSearchParams(body),
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    }
    const revoke = (body: Record<string, string> | string, headers: Record<string, string> = {}) => post(`${server.baseUrl}/oauth2/revoke`, body, headers);
    const asClient = (client: OAuthClientApp) => ({ authorization: basicAuthorization(client.clientId, client.clientSecret) });

    async function active(client: OAuthClientApp, token: string): Promise<boolean> {
      const answer = await post(`${server.baseUrl}/oauth2/introspect`, { token }, asClient(client));
      return (JSON.parse(answer.text) as { active: boolean }).active;
    }

    async function userinfoStatus(token: string): Promise<number> {
      return (await fetch(`${server.baseUrl}/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } })).status;
    }

    /** The grant is marked revoked and its refresh token row is gone: every token of the family is dead. */
    async function assertFamilyRevoked(client: OAuthClientApp, minted: MintedGrant) {
      const { repositories } = server.gatehouse.store;
      assert.notEqual((await repositories.oauthGrants.find(minted.grantId))?.revokedInstant, undefined);
      assert.equal(await repositories.refreshTokens.find(minted.grantId), undefined);
      assert.equal(await active(client, minted.accessToken), false);
      assert.equal(await active(client, minted.refreshToken!), false);
      assert.equal(await userinfoStatus(minted.accessToken), 401);
    }

    const family = (client: OAuthClientApp = app) => mintGrantTokens(server, client, user, { scopes: ['openid', 'offline_access'], refreshToken: true });

    it('revokes a refresh token and with it the grant and every access token issued under it (REV-03)', async () => {
      const minted = await family();
      assert.equal(await userinfoStatus(minted.accessToken), 200);
      const response = await oauth.revocationRequest(as, app.client, oauth.ClientSecretBasic(app.clientSecret), minted.refreshToken!, insecure);
      assert.equal(response.status, 200);
      assert.equal(await response.clone().text(), '');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      await oauth.processRevocationResponse(response);
      await assertFamilyRevoked(app, minted);
    });

    it('revokes an access token by revoking its grant, refresh token included', async () => {
      const minted = await family();
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, app.client, oauth.ClientSecretPost(app.clientSecret), minted.accessToken, insecure));
      await assertFamilyRevoked(app, minted);
    });

    it('revokes whatever the token_type_hint says (REV-05)', async () => {
      for (const hint of ['access_token', 'refresh_token', 'id_token', 'unknown_type']) {
        const byRefresh = await family();
        assert.equal((await revoke({ token: byRefresh.refreshToken!, token_type_hint: hint }, asClient(app))).status, 200);
        await assertFamilyRevoked(app, byRefresh);
        const byAccess = await family();
        assert.equal((await revoke({ token: byAccess.accessToken, token_type_hint: hint }, asClient(app))).status, 200);
        await assertFamilyRevoked(app, byAccess);
      }
    });

    it('answers 200 with an empty body for unknown, garbage, ID and already revoked tokens (REV-02)', async () => {
      const minted = await family();
      await revoke({ token: minted.refreshToken! }, asClient(app));
      for (const token of ['unknown', 'a.b.c', 'A'.repeat(43), minted.refreshToken!, minted.accessToken, minted.idToken!]) {
        const answer = await revoke({ token }, asClient(app));
        assert.equal(answer.status, 200);
        assert.equal(answer.text, '');
      }
      const survivor = await family();
      await revoke({ token: survivor.idToken! }, asClient(app));
      assert.equal(await active(app, survivor.accessToken), true, 'an ID token revokes nothing');
    });

    it('deletes a Login API refresh token (no grant behind it) presented by its application', async () => {
      const session = (await server.client.login({ loginId: user.email!, password: testPassword, applicationId: app.clientId })).response;
      assert.equal((await revoke({ token: session.refreshToken! }, asClient(app))).status, 200);
      assert.equal(await server.gatehouse.store.repositories.refreshTokens.find(session.refreshTokenId!), undefined);
    });

    it('requires a confidential client to authenticate: 401 invalid_client, nothing revoked (REV-01)', async () => {
      const minted = await family();
      for (const [body, headers] of [
        [{ token: minted.refreshToken! }, {}],
        [{ token: minted.refreshToken!, client_id: app.clientId }, {}],
        [{ token: minted.refreshToken!, client_id: app.clientId, client_secret: 'wrong' }, {}],
        [{ token: minted.refreshToken! }, { authorization: basicAuthorization(app.clientId, 'wrong') }],
      ] as [Record<string, string>, Record<string, string>][]) {
        const answer = await revoke(body, headers);
        assert.equal(answer.status, 401, answer.text);
        assert.equal(JSON.parse(answer.text).error, 'invalid_client');
      }
      assert.equal(await active(app, minted.refreshToken!), true);
    });

    it('refuses another client\'s token: 400 to an authenticated client, silent 200 to a public one; nothing revoked (REV-04)', async () => {
      const minted = await family();
      const confidential = await revoke({ token: minted.refreshToken! }, asClient(other));
      assert.equal(confidential.status, 400, confidential.text);
      assert.equal(JSON.parse(confidential.text).error, 'invalid_request');
      assert.equal((await revoke({ token: minted.accessToken }, asClient(other))).status, 400);
      for (const token of [minted.refreshToken!, minted.accessToken]) {
        const answer = await revoke({ token, client_id: publicApp.clientId });
        assert.equal(answer.status, 200);
        assert.equal(answer.text, '');
      }
      assert.equal(await active(app, minted.refreshToken!), true);
      assert.equal(await active(app, minted.accessToken), true);
    });

    it('lets a public client revoke its own tokens with client_id alone', async () => {
      const minted = await family(publicApp);
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, publicApp.client, oauth.None(), minted.refreshToken!, insecure));
      const { repositories } = server.gatehouse.store;
      assert.notEqual((await repositories.oauthGrants.find(minted.grantId))?.revokedInstant, undefined);
      assert.equal(await userinfoStatus(minted.accessToken), 401);
    });

    it('requires the token (400 invalid_request) and POST (405) (REV-06)', async () => {
      const missing = await revoke({}, asClient(app));
      assert.equal(missing.status, 400);
      assert.equal(JSON.parse(missing.text).error, 'invalid_request');
      assert.equal(JSON.parse(missing.text).error_reason, 'missing_token');
      const minted = await family();
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        const response = await fetch(`${server.baseUrl}/oauth2/revoke?token=${minted.refreshToken}`, { method, headers: asClient(app) });
        assert.equal(response.status, 405);
        assert.equal(response.headers.get('allow'), 'POST');
        assert.equal(((await response.json()) as Record<string, unknown>)['error'], 'invalid_request');
      }
      assert.equal(await active(app, minted.refreshToken!), true);
    });

    it('refuses duplicate parameters and bodies that are not form-encoded, revoking nothing', async () => {
      const minted = await family();
      const duplicate = await revoke(`token=${minted.refreshToken}&token=${minted.refreshToken}`, asClient(app));
      assert.equal(duplicate.status, 400);
      assert.equal(JSON.parse(duplicate.text).error, 'invalid_request');
      const json = await revoke(JSON.stringify({ token: minted.refreshToken }), { ...asClient(app), 'content-type': 'application/json' });
      assert.equal(json.status, 400);
      assert.equal(JSON.parse(json.text).error, 'invalid_request');
      const text = await revoke(`token=${minted.refreshToken}`, { ...asClient(app), 'content-type': 'text/plain' });
      assert.equal(text.status, 415);
      assert.equal(JSON.parse(text.text).error, 'invalid_request');
      assert.equal(await active(app, minted.refreshToken!), true);
    });
  });
}
