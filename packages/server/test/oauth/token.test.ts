import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { backends } from '../helpers/test-stores.ts';
import { basicAuthorization, createOAuthApplication, createOAuthUser, postToken, startOAuthServer, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { assertOAuthError, insecure } from '../helpers/token-endpoint.ts';

for (const backend of backends) {
  describe(`POST /oauth2/token: transport and errors on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;

    before(async () => {
      server = await startOAuthServer(backend);
      app = await createOAuthApplication(server);
    });
    after(async () => {
      await server.close();
    });

    const passwordForm = () => ({ grant_type: 'password', username: 'nobody@example.com', password: 'x', client_id: app.clientId, client_secret: app.clientSecret });

    it('answers other methods with 405 and never processes them (TOK-01)', async () => {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        const response = await fetch(`${server.baseUrl}/oauth2/token?grant_type=password&client_id=${app.clientId}`, { method });
        const json = (await response.json()) as Record<string, unknown>;
        assertOAuthError({ status: response.status, headers: response.headers, json }, 405, 'invalid_request');
        assert.equal(response.headers.get('allow'), 'POST');
      }
    });

    it('refuses JSON and other bodies that are not form-encoded with invalid_request (TOK-02)', async () => {
      const json = await fetch(`${server.baseUrl}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(passwordForm()) });
      assertOAuthError({ status: json.status, headers: json.headers, json: (await json.json()) as Record<string, unknown> }, 400, 'invalid_request');
      const empty = await fetch(`${server.baseUrl}/oauth2/token`, { method: 'POST' });
      assertOAuthError({ status: empty.status, headers: empty.headers, json: (await empty.json()) as Record<string, unknown> }, 400, 'invalid_request');
      const text = await fetch(`${server.baseUrl}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'grant_type=password' });
      assert.equal(text.status, 415);
      assert.equal(((await text.json()) as Record<string, unknown>)['error'], 'invalid_request');
      // The parameters of a form body count, not those of the query string.
      const query = await postToken(server, '', {});
      assertOAuthError(query, 400, 'invalid_request', 'missing_grant_type');
    });

    it('refuses a parameter sent twice with invalid_request (TOK-03)', async () => {
      const twice = `grant_type=password&grant_type=refresh_token&client_id=${app.clientId}`;
      assertOAuthError(await postToken(server, twice), 400, 'invalid_request', 'duplicate_parameter');
      const code = `grant_type=authorization_code&code=a&code=b&redirect_uri=${encodeURIComponent(app.redirectUri)}&client_id=${app.clientId}&client_secret=${app.clientSecret}`;
      assertOAuthError(await postToken(server, code), 400, 'invalid_request', 'duplicate_parameter');
    });

    it('names a missing, unknown or disabled grant_type (TOK-04)', async () => {
      const { grant_type: _grantType, ...noGrant } = passwordForm();
      assertOAuthError(await postToken(server, noGrant), 400, 'invalid_request', 'missing_grant_type');
      assertOAuthError(await postToken(server, { ...passwordForm(), grant_type: 'urn:example:unknown' }), 400, 'unsupported_grant_type', 'invalid_grant_type');
      // client_credentials is answered by its own grant (entities only): see client-credentials.test.ts.
      assertOAuthError(await postToken(server, { ...passwordForm(), grant_type: 'urn:ietf:params:oauth:grant-type:saml2-bearer' }), 400, 'unsupported_grant_type');
      const codeOnly = await createOAuthApplication(server, { oauthConfiguration: { enabledGrants: ['authorization_code'] as never } });
      const disabled = { ...passwordForm(), client_id: codeOnly.clientId, client_secret: codeOnly.clientSecret };
      assertOAuthError(await postToken(server, disabled), 400, 'unauthorized_client', 'grant_type_disabled');
      const refresh = { grant_type: 'refresh_token', refresh_token: 'x', client_id: codeOnly.clientId, client_secret: codeOnly.clientSecret };
      assertOAuthError(await postToken(server, refresh), 400, 'unauthorized_client', 'grant_type_disabled');
      // An empty value is an absent one.
      assertOAuthError(await postToken(server, { ...passwordForm(), grant_type: '' }), 400, 'invalid_request', 'missing_grant_type');
    });

    it('answers a wrong secret via Basic with 401 and a Basic challenge (TOK-06)', async () => {
      const response = await postToken(server, { grant_type: 'password', username: 'a', password: 'b' }, { authorization: basicAuthorization(app.clientId, 'wrong') });
      assertOAuthError(response, 401, 'invalid_client', 'invalid_client_authentication');
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm="/);
    });

    it('answers a wrong secret in the body and an unknown client alike (TOK-07)', async () => {
      const wrong = await postToken(server, { ...passwordForm(), client_secret: 'wrong' });
      assertOAuthError(wrong, 401, 'invalid_client', 'invalid_client_authentication');
      const unknown = await postToken(server, { ...passwordForm(), client_id: '3c219e58-ed0e-4b18-ad48-f4f92793ae32' });
      assertOAuthError(unknown, 401, 'invalid_client');
      const notUuid = await postToken(server, { ...passwordForm(), client_id: 'not-a-client' });
      assertOAuthError(notUuid, 401, 'invalid_client');
      assert.equal(unknown.json['error_description'], wrong.json['error_description'], 'the same words for an unknown client and a wrong secret');
      assert.equal(unknown.json['error_description'], notUuid.json['error_description']);
      const { client_id: _id, client_secret: _secret, ...anonymous } = passwordForm();
      assertOAuthError(await postToken(server, anonymous), 401, 'invalid_client', 'missing_client_id');
    });

    it('refuses two authentication methods at once (TOK-08) and a Basic id that differs from client_id (TOK-10)', async () => {
      const both = await postToken(server, passwordForm(), { authorization: basicAuthorization(app.clientId, app.clientSecret) });
      assertOAuthError(both, 400, 'invalid_request');
      const { client_secret: _secret, ...withId } = passwordForm();
      const other = await createOAuthApplication(server);
      const mismatch = await postToken(server, { ...withId, client_id: other.clientId }, { authorization: basicAuthorization(app.clientId, app.clientSecret) });
      assertOAuthError(mismatch, 400, 'invalid_request', 'client_id_mismatch');
    });

    it('form-decodes Basic credentials and refuses malformed ones (TOK-09)', async () => {
      const secret = 'a:b%c+d e/é';
      const special = await createOAuthApplication(server, { oauthConfiguration: { clientSecret: secret } });
      assert.equal(special.clientSecret, secret);
      const user = await createOAuthUser(server, special.application);
      const form = { grant_type: 'password', username: user.email!, password: 'correct horse battery staple' };
      const ok = await postToken(server, form, { authorization: basicAuthorization(special.clientId, secret) });
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      // oauth4webapi builds the header the same way.
      const library = await oauth.genericTokenEndpointRequest(server.as, special.client, oauth.ClientSecretBasic(secret), 'password', { username: user.email!, password: 'correct horse battery staple' }, insecure);
      assert.equal(library.status, 200);
      for (const authorization of ['Basic !!!notbase64', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Bearer ${app.clientSecret}`, `Basic ${Buffer.from(`${special.clientId}:%E0%A4%A`).toString('base64')}`]) {
        const response = await postToken(server, form, { authorization });
        assertOAuthError(response, 401, 'invalid_client');
        assert.match(response.headers.get('www-authenticate') ?? '', /^Basic /);
      }
    });

    it('checks a secret even when the policy does not require one, and requires it when it does (TOK-11)', async () => {
      const publicApp = await createOAuthApplication(server, { oauthConfiguration: { clientAuthenticationPolicy: 'NotRequired' as never } });
      const user = await createOAuthUser(server, publicApp.application);
      const form = { grant_type: 'password', username: user.email!, password: 'correct horse battery staple', client_id: publicApp.clientId };
      assert.equal((await postToken(server, form)).status, 200);
      assertOAuthError(await postToken(server, { ...form, client_secret: 'wrong' }), 401, 'invalid_client', 'invalid_client_authentication');
      const { client_secret: _secret, ...noSecret } = passwordForm();
      assertOAuthError(await postToken(server, noSecret), 401, 'invalid_client', 'client_authentication_missing');
    });

    it('puts Cache-Control: no-store and Pragma: no-cache on a success too (TOK-05)', async () => {
      const user = await createOAuthUser(server, app.application);
      const response = await postToken(server, { ...passwordForm(), username: user.email!, password: 'correct horse battery staple' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.headers.get('pragma'), 'no-cache');
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    });

    it('deactivated applications are unknown clients', async () => {
      const gone = await createOAuthApplication(server);
      await server.client.deactivateApplication(gone.clientId);
      assertOAuthError(await postToken(server, { ...passwordForm(), client_id: gone.clientId, client_secret: gone.clientSecret }), 401, 'invalid_client', 'invalid_client_id');
    });
  });
}
