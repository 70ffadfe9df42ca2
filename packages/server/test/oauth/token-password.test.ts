import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as openid from 'openid-client';
import { backends } from '../helpers/test-stores.ts';
import { createOAuthApplication, createOAuthUser, postToken, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';

function assertInvalid(response: { status: number; headers: Headers; json: Record<string, unknown> }, status: number, error: string, reason?: string) {
  assert.equal(response.status, status, JSON.stringify(response.json));
  assert.equal(response.json['error'], error, JSON.stringify(response.json));
  if (reason !== undefined) assert.equal(response.json['error_reason'], reason, JSON.stringify(response.json));
  assert.equal(response.headers.get('cache-control'), 'no-store');
}

for (const backend of backends) {
  describe(`grant_type=password on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    let config: openid.Configuration;

    before(async () => {
      server = await startOAuthServer(backend);
      app = await createOAuthApplication(server, { application: { roles: [{ name: 'editor' }] } });
      config = new openid.Configuration(server.as, app.clientId, { client_secret: app.clientSecret, id_token_signed_response_alg: 'ES256' });
      openid.allowInsecureRequests(config);
    });
    after(async () => {
      await server.close();
    });

    const passwordForm = (username: string, password = testPassword, target: OAuthClientApp = app) => ({
      grant_type: 'password',
      username,
      password,
      client_id: target.clientId,
      client_secret: target.clientSecret,
    });

    it('logs a user in by email with openid-client; offline_access brings a refresh token of a new grant', async () => {
      const user = await createOAuthUser(server, app.application, { roles: ['editor'] });
      const before = Date.now();
      const tokens = await openid.genericGrantRequest(config, 'password', { username: user.email!, password: testPassword, scope: 'openid offline_access email' });
      const idToken = tokens.claims()!;
      assert.equal(idToken.sub, user.id);
      assert.equal(idToken['email'], user.email);
      assert.ok(tokens.refresh_token);
      assert.equal(tokens.scope, 'openid offline_access email');
      const access = decodeJwt(tokens.access_token);
      assert.deepEqual(access['roles'], ['editor']);
      assert.equal(access['authenticationType'], 'PASSWORD');
      const grantId = access['sid'] as string;
      assert.equal(tokens['refresh_token_id'], grantId);
      const grant = await server.gatehouse.store.repositories.oauthGrants.find(grantId);
      assert.equal(grant?.grantType, 'password');
      assert.equal(grant?.sessionId, undefined, 'no SSO session behind a password grant');
      assert.deepEqual(grant?.scopes, ['openid', 'offline_access', 'email']);
      assert.ok(grant!.authenticatedInstant >= before);
      assert.equal(idToken.auth_time, Math.floor(grant!.authenticatedInstant / 1000));
      const stored = await server.gatehouse.store.repositories.users.find(user.id!);
      assert.ok(stored!.lastLoginInstant! >= before, 'the login is recorded');
      // The refresh token works at the refresh grant.
      const refreshed = await openid.refreshTokenGrant(config, tokens.refresh_token);
      assert.equal(refreshed.claims()?.sub, user.id);
    });

    it('logs a user in by username, without a refresh token when offline_access is not asked for', async () => {
      const username = `user-${randomUUID()}`;
      const user = await createOAuthUser(server, app.application, { user: { username } });
      const response = await postToken(server, { ...passwordForm(username), scope: 'openid' });
      assert.equal(response.status, 200, JSON.stringify(response.json));
      assert.equal(response.json['refresh_token'], undefined);
      assert.equal(response.json['userId'], user.id);
      assert.equal(decodeJwt(response.json['access_token'] as string)['preferred_username'], username);
    });

    it('is usable with FusionAuth\'s own client', async () => {
      const user = await createOAuthUser(server, app.application);
      const response = await server.client.exchangeUserCredentialsForAccessTokenWithRequest({
        username: user.email!,
        password: testPassword,
        client_id: app.clientId,
        client_secret: app.clientSecret,
        grant_type: 'password',
        scope: 'offline_access',
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.response.userId, user.id);
      assert.ok(response.response.refresh_token);
    });

    it('answers a wrong password and an unknown user alike: invalid_user_credentials', async () => {
      const user = await createOAuthUser(server, app.application);
      const wrong = await postToken(server, passwordForm(user.email!, 'not the password'));
      assertInvalid(wrong, 400, 'invalid_grant', 'invalid_user_credentials');
      const unknown = await postToken(server, passwordForm(`${randomUUID()}@example.com`));
      assertInvalid(unknown, 400, 'invalid_grant', 'invalid_user_credentials');
      assert.equal(wrong.json['error_description'], unknown.json['error_description']);
      assertInvalid(await postToken(server, { ...passwordForm(user.email!), password: '' }), 400, 'invalid_request', 'missing_password');
      assertInvalid(await postToken(server, { ...passwordForm(''), username: '' }), 400, 'invalid_request', 'missing_username');
    });

    it('only knows users of the application\'s tenant', async () => {
      const tenant = (await server.client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!;
      const stranger = await createOAuthUser(server, undefined, { tenantId: tenant.id! });
      assertInvalid(await postToken(server, passwordForm(stranger.email!)), 400, 'invalid_grant', 'invalid_user_credentials');
    });

    it('locks the user after the tenant\'s failed attempts: user_locked, even with the right password', async () => {
      const tenant = (
        await server.client.createTenant('', {
          tenant: { name: `Lockout ${randomUUID()}`, failedAuthenticationConfiguration: { tooManyAttempts: 2, resetCountInSeconds: 60, actionDuration: 5, actionDurationUnit: 'MINUTES' as never } },
        })
      ).response.tenant!;
      const locked = await createOAuthApplication(server, { tenantId: tenant.id! });
      const user = await createOAuthUser(server, locked.application, { tenantId: tenant.id! });
      for (let attempt = 0; attempt < 2; attempt++) assertInvalid(await postToken(server, passwordForm(user.email!, 'wrong', locked)), 400, 'invalid_grant', 'invalid_user_credentials');
      assertInvalid(await postToken(server, passwordForm(user.email!, testPassword, locked)), 400, 'invalid_grant', 'user_locked');
    });

    it('refuses expired users, users prevented from logging in and users who must change their password', async () => {
      const expired = await createOAuthUser(server, app.application);
      await server.client.patchUser(expired.id!, { user: { expiry: Date.now() - 1000 } });
      assertInvalid(await postToken(server, passwordForm(expired.email!)), 400, 'invalid_grant', 'user_expired');

      const prevented = await createOAuthUser(server, app.application);
      const admin = await createOAuthUser(server, undefined);
      const lock = (await server.client.createUserAction('', { userAction: { name: `Lock ${randomUUID()}`, temporal: true, preventLogin: true } })).response.userAction!;
      await server.client.actionUser({ action: { actionerUserId: admin.id!, actioneeUserId: prevented.id!, userActionId: lock.id!, expiry: Date.now() + 3_600_000 } });
      assertInvalid(await postToken(server, passwordForm(prevented.email!)), 400, 'invalid_grant', 'login_prevented');

      const mustChange = await createOAuthUser(server, app.application, { user: { passwordChangeRequired: true } });
      assertInvalid(await postToken(server, passwordForm(mustChange.email!)), 400, 'invalid_grant', 'change_password_administrative');

      const deactivated = await createOAuthUser(server, app.application);
      await server.client.deactivateUser(deactivated.id!);
      assertInvalid(await postToken(server, passwordForm(deactivated.email!)), 400, 'invalid_grant', 'invalid_user_credentials');
    });

    it('resolves scopes by the application\'s unknownScopePolicy', async () => {
      const user = await createOAuthUser(server, app.application);
      assertInvalid(await postToken(server, { ...passwordForm(user.email!), scope: 'openid calendar' }), 400, 'invalid_scope');
      const lenient = await createOAuthApplication(server, { oauthConfiguration: { unknownScopePolicy: 'Remove' as never } });
      const member = await createOAuthUser(server, lenient.application);
      const removed = await postToken(server, { ...passwordForm(member.email!, testPassword, lenient), scope: 'openid calendar' });
      assert.equal(removed.status, 200);
      assert.equal(removed.json['scope'], 'openid');
      await server.client.createOAuthScope(app.clientId, '', { scope: { name: 'calendar' } });
      const custom = await postToken(server, { ...passwordForm(user.email!), scope: 'openid calendar' });
      assert.equal(custom.status, 200, JSON.stringify(custom.json));
      assert.equal(decodeJwt(custom.json['access_token'] as string)['scope'], 'openid calendar');
    });

    it('gives a user who is not registered tokens without roles (requireRegistration only concerns the browser grants)', async () => {
      const strict = await createOAuthApplication(server, { oauthConfiguration: { requireRegistration: true } });
      const stranger = await createOAuthUser(server, undefined);
      const response = await postToken(server, passwordForm(stranger.email!, testPassword, strict));
      assert.equal(response.status, 200, JSON.stringify(response.json));
      const claims = decodeJwt(response.json['access_token'] as string);
      assert.equal(claims['roles'], undefined);
      assert.equal(claims.aud, strict.clientId);
    });

    it('obeys enabledGrants: the default application does not enable the password grant', async () => {
      const defaults = await createOAuthApplication(server, { oauthConfiguration: { enabledGrants: undefined as never } });
      assert.deepEqual(defaults.application.oauthConfiguration?.enabledGrants, ['authorization_code', 'refresh_token']);
      const user = await createOAuthUser(server, defaults.application);
      assertInvalid(await postToken(server, passwordForm(user.email!, testPassword, defaults)), 400, 'unauthorized_client', 'grant_type_disabled');
    });
  });
}
