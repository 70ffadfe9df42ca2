import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { expectStatus } from '../helpers/fusionauth-client.ts';
import { Browser, parseForm, withFields } from '../helpers/browser.ts';
import { fullMetadata, registrationSteps, startRegistrationFixture, type HttpAnswer } from '../helpers/client-registration.ts';
import { responseParameters, signInThroughPage } from '../helpers/hosted-login.ts';
import { basicAuthorization, createOAuthUser, postToken, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

/*
 * What follows a dynamic client registration: RFC 7592 (GET, PUT, DELETE at registration_client_uri with
 * the registration access token); the management route that rotates a client secret; and a registered
 * client running a whole authorization code flow with openid-client, through the consent page it gets
 * as a third party. Registration itself (RFC 7591): registration.test.ts.
 * Checklist §1.13, across both files: DCR-01 (token required, rate limit), DCR-02, DCR-03, DCR-05, DCR-06.
 */

for (const backend of backends) {
  describe(`dynamic client registration: client configuration (RFC 7592) on ${backend}`, () => {
    let server: OAuthServer;
    /** An API key allowed to POST /oauth2/register only: the initial access token. */
    let initialAccessToken: string;
    const { http, register, clientPath, applicationCount, assertOAuthError } = registrationSteps(() => server, () => initialAccessToken);

    before(async () => {
      ({ server, initialAccessToken } = await startRegistrationFixture(backend));
    });
    after(async () => {
      await server.close();
    });

    describe('client configuration endpoint (RFC 7592)', () => {
      let registered: HttpAnswer;
      let token: string;
      let path: string;

      before(async () => {
        registered = await register(fullMetadata);
        token = registered.json['registration_access_token'] as string;
        path = clientPath(registered);
      });

      it('reads the registration with the registration access token, never the secret', async () => {
        const read = await http('GET', path, { token });
        assert.equal(read.status, 200, JSON.stringify(read.json));
        assert.equal(read.headers.get('cache-control'), 'no-store');
        const { client_secret: _secret, registration_access_token: _token, ...expected } = registered.json;
        assert.deepEqual(read.json, expected);
      });

      it('refuses a missing token, a wrong one, another client\'s, and an unknown client id with 401 invalid_token', async () => {
        const missing = await http('GET', path);
        assertOAuthError(missing, 401, 'invalid_token');
        assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
        const wrong = await http('GET', path, { token: 'x'.repeat(43) });
        assertOAuthError(wrong, 401, 'invalid_token');
        assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="invalid_token"');
        const other = await register({ redirect_uris: ['https://other.example.com/cb'] });
        assertOAuthError(await http('GET', path, { token: other.json['registration_access_token'] as string }), 401, 'invalid_token');
        assertOAuthError(await http('DELETE', path, { token: other.json['registration_access_token'] as string }), 401, 'invalid_token');
        assertOAuthError(await http('GET', `/oauth2/register/${randomUUID()}`, { token }), 401, 'invalid_token');
        assertOAuthError(await http('GET', '/oauth2/register/not-a-uuid', { token }), 401, 'invalid_token');
        // The initial access token is not a registration access token.
        assertOAuthError(await http('GET', path, { token: initialAccessToken }), 401, 'invalid_token');
        assert.equal((await http('GET', path, { token })).status, 200, 'the client is untouched');
      });

      it('PUT replaces the metadata as a whole (omitted fields return to their defaults), keeps the secret, and checks client_id and client_secret', async () => {
        const clientId = registered.json['client_id'] as string;
        const secret = registered.json['client_secret'] as string;
        const replacement = {
          client_id: clientId,
          client_secret: secret,
          redirect_uris: ['https://client.example.org/v2/callback'],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          scope: 'openid profile contacts.read',
          client_name: 'Calendar Sync 2',
          contacts: ['dev@client.example.org'],
          registration_access_token: 'ignored',
        };
        const count = await applicationCount();
        assertOAuthError(await http('PUT', path, { token, body: { ...replacement, client_id: undefined } }), 400, 'invalid_client_metadata', /client_id/);
        assertOAuthError(await http('PUT', path, { token, body: { ...replacement, client_id: randomUUID() } }), 400, 'invalid_client_metadata', /client_id/);
        assertOAuthError(await http('PUT', path, { token, body: { ...replacement, client_secret: 'not the secret' } }), 400, 'invalid_client_metadata', /client_secret/);
        assertOAuthError(await http('PUT', path, { token, body: { ...replacement, redirect_uris: ['http://evil.example.com/cb'] } }), 400, 'invalid_redirect_uri');
        assertOAuthError(await http('PUT', path, { body: replacement }), 401, 'invalid_token');
        const unchanged = (await server.client.retrieveApplication(clientId)).response.application!;
        assert.deepEqual(unchanged.oauthConfiguration?.authorizedRedirectURLs, fullMetadata.redirect_uris, 'refused updates changed nothing');

        const updated = await http('PUT', path, { token, body: replacement });
        assert.equal(updated.status, 200, JSON.stringify(updated.json));
        assert.equal(updated.headers.get('cache-control'), 'no-store');
        assert.equal(updated.json['client_secret'], undefined, 'the secret stays and is not shown again');
        assert.equal(updated.json['registration_access_token'], undefined);
        assert.deepEqual(updated.json, {
          client_id: clientId,
          client_id_issued_at: registered.json['client_id_issued_at'],
          client_secret_expires_at: 0,
          registration_client_uri: registered.json['registration_client_uri'],
          scope: 'openid profile contacts.read',
          redirect_uris: ['https://client.example.org/v2/callback'],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          application_type: 'web',
          client_name: 'Calendar Sync 2',
          contacts: ['dev@client.example.org'],
        });
        const application = (await server.client.retrieveApplication(clientId)).response.application!;
        assert.equal(application.name, 'Calendar Sync 2');
        assert.equal(application.oauthConfiguration?.clientSecret, secret);
        assert.deepEqual(application.oauthConfiguration?.enabledGrants, ['authorization_code']);
        assert.equal(application.oauthConfiguration?.generateRefreshTokens, false);
        assert.equal(application.oauthConfiguration?.relationship, 'ThirdParty');
        assert.deepEqual(application.scopes?.map((scope) => scope.name), ['contacts.read'], 'calendar.read went, contacts.read came');
        assert.equal((application.data?.['clientMetadata'] as Record<string, unknown>)['logo_uri'], undefined, 'omitted: deleted (RFC 7592 §2.2)');
        assert.equal(await applicationCount(), count);
        assert.deepEqual((await http('GET', path, { token })).json, updated.json, 'a read shows the update');
        assert.equal((await http('PUT', path, { token, body: { ...replacement, client_secret: undefined } })).status, 200, 'client_secret may be omitted');
      });

      it('a public client that becomes confidential through PUT is issued a secret, once', async () => {
        const publicClient = await register({ redirect_uris: ['https://spa.example.com/cb'], token_endpoint_auth_method: 'none' });
        const publicToken = publicClient.json['registration_access_token'] as string;
        const clientId = publicClient.json['client_id'] as string;
        const updated = await http('PUT', clientPath(publicClient), { token: publicToken, body: { client_id: clientId, redirect_uris: ['https://spa.example.com/cb'] } });
        assert.equal(updated.status, 200, JSON.stringify(updated.json));
        assert.equal(updated.json['token_endpoint_auth_method'], 'client_secret_basic');
        const secret = updated.json['client_secret'] as string;
        assert.equal(typeof secret, 'string');
        assert.equal(updated.json['client_secret_expires_at'], 0);
        const application = (await server.client.retrieveApplication(clientId)).response.application!;
        assert.equal(application.oauthConfiguration?.clientSecret, secret);
        assert.equal(application.oauthConfiguration?.clientAuthenticationPolicy, 'Required');
        assert.equal((await http('GET', clientPath(publicClient), { token: publicToken })).json['client_secret'], undefined);
      });

      it('DELETE removes the client: 204, then its token opens nothing and the application is gone', async () => {
        const doomed = await register({ ...fullMetadata, client_name: `Doomed ${randomUUID()}` });
        const doomedToken = doomed.json['registration_access_token'] as string;
        const clientId = doomed.json['client_id'] as string;
        assertOAuthError(await http('DELETE', clientPath(doomed)), 401, 'invalid_token');
        const deleted = await http('DELETE', clientPath(doomed), { token: doomedToken });
        assert.equal(deleted.status, 204);
        assertOAuthError(await http('GET', clientPath(doomed), { token: doomedToken }), 401, 'invalid_token');
        assertOAuthError(await http('DELETE', clientPath(doomed), { token: doomedToken }), 401, 'invalid_token');
        await expectStatus(server.client.retrieveApplication(clientId), 404);
        const rows = await server.gatehouse.store.db.selectFrom('client_registrations').selectAll().where('application_id', '=', clientId).execute();
        assert.deepEqual(rows, []);
        const scopes = await server.gatehouse.store.db.selectFrom('application_scopes').selectAll().where('application_id', '=', clientId).execute();
        assert.deepEqual(scopes, []);
        assert.equal((await http('POST', clientPath(doomed), { token: doomedToken })).headers.get('allow'), 'GET, PUT, DELETE');
      });
    });

    describe('client secret rotation (POST /api/application/{id}/client-secret)', () => {
      /** Client authentication alone decides between invalid_client (401) and invalid_grant (400) for a made-up code. */
      const authenticates = async (clientId: string, secret: string) =>
        (await postToken(server, { grant_type: 'authorization_code', code: 'made-up', redirect_uri: 'https://client.example.org/callback' }, { authorization: basicAuthorization(clientId, secret) })).status !== 401;

      it('returns the application with a new secret; the old secret stops working at once', async () => {
        const registered = await register(fullMetadata);
        const clientId = registered.json['client_id'] as string;
        const oldSecret = registered.json['client_secret'] as string;
        assert.equal(await authenticates(clientId, oldSecret), true);
        const response = await fetch(`${server.baseUrl}/api/application/${clientId}/client-secret`, { method: 'POST', headers: { authorization: server.gatehouse.apiKey } });
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        const { application } = (await response.json()) as { application: { id: string; oauthConfiguration: { clientSecret: string }; data: Record<string, unknown> } };
        assert.equal(application.id, clientId);
        const newSecret = application.oauthConfiguration.clientSecret;
        assert.notEqual(newSecret, oldSecret);
        assert.ok(newSecret.length >= 43);
        assert.equal((await server.client.retrieveApplication(clientId)).response.application?.oauthConfiguration?.clientSecret, newSecret, 'stored');
        assert.equal(await authenticates(clientId, oldSecret), false, 'the old secret is refused');
        assert.equal(await authenticates(clientId, newSecret), true, 'the new secret works');
        // The rest of the registration is untouched, and RFC 7592 still sees no secret.
        const read = await http('GET', clientPath(registered), { token: registered.json['registration_access_token'] as string });
        assert.equal(read.status, 200);
        assert.equal(read.json['client_secret'], undefined);
        assert.equal(read.json['client_name'], 'Calendar Sync');
        // A PUT now must present the new secret if it presents one.
        assertOAuthError(await http('PUT', clientPath(registered), { token: registered.json['registration_access_token'] as string, body: { ...fullMetadata, client_id: clientId, client_secret: oldSecret } }), 400, 'invalid_client_metadata', /client_secret/);
      });

      it('is 404 for an unknown application or one outside the key\'s tenant, 401 without an API key', async () => {
        const unknown = await fetch(`${server.baseUrl}/api/application/${randomUUID()}/client-secret`, { method: 'POST', headers: { authorization: server.gatehouse.apiKey } });
        assert.equal(unknown.status, 404);
        const registered = await register({ redirect_uris: ['https://scoped.example.com/cb'] });
        const clientId = registered.json['client_id'] as string;
        const before = (await server.client.retrieveApplication(clientId)).response.application?.oauthConfiguration?.clientSecret;
        assert.equal((await fetch(`${server.baseUrl}/api/application/${clientId}/client-secret`, { method: 'POST' })).status, 401);
        const otherTenant = (await server.client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!.id!;
        const scopedKey = (await server.client.createAPIKey('', { apiKey: { tenantId: otherTenant } })).response.apiKey!.key!;
        assert.equal((await fetch(`${server.baseUrl}/api/application/${clientId}/client-secret`, { method: 'POST', headers: { authorization: scopedKey } })).status, 404);
        assert.equal((await server.client.retrieveApplication(clientId)).response.application?.oauthConfiguration?.clientSecret, before, 'unchanged');
      });
    });

    describe('a registered client in use', () => {
      it('discovery names the registration endpoint; the client signs a user in with openid-client after the consent page', async () => {
        const registered = await register({
          redirect_uris: ['https://rp.example.net/callback'],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid email offline_access',
          client_name: `Relying party ${randomUUID()}`,
        });
        assert.equal(registered.status, 201, JSON.stringify(registered.json));
        const clientId = registered.json['client_id'] as string;
        const config = await client.discovery(new URL(server.baseUrl), clientId, registered.json['client_secret'] as string, undefined, { execute: [client.allowInsecureRequests] });
        assert.equal(config.serverMetadata().registration_endpoint, `${server.baseUrl}/oauth2/register`);
        const user = await createOAuthUser(server, undefined);

        const verifier = client.randomPKCECodeVerifier();
        const state = client.randomState();
        const nonce = client.randomNonce();
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: 'https://rp.example.net/callback',
          scope: 'openid email offline_access',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        });
        const browser = new Browser(server.baseUrl);
        const consent = await signInThroughPage(browser, url.href, user.email!);
        assert.equal(consent.status, 200, `the consent page, not a redirect: ${consent.status} ${consent.location ?? ''}`);
        assert.ok(consent.body.includes(registered.json['client_name'] as string), 'the page names the client');
        const form = parseForm(consent.body, '/oauth2/consent');
        const allowed = await browser.post(form.action, withFields(form.fields, { decision: 'allow' }));
        assert.equal(allowed.status, 303);
        assert.ok(allowed.location?.startsWith('https://rp.example.net/callback?'));

        const tokens = await client.authorizationCodeGrant(config, new URL(allowed.location!), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
        const claims = tokens.claims()!;
        assert.equal(claims.sub, user.id);
        assert.equal(claims.aud, clientId);
        assert.equal(claims.email, user.email);
        assert.equal(tokens.scope, 'openid email offline_access');
        assert.ok(tokens.refresh_token);
        const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
        assert.equal(refreshed.claims()?.sub, user.id);

        // A scope the client did not register is refused at the authorization endpoint.
        const unregistered = await browser.get(client.buildAuthorizationUrl(config, { redirect_uri: 'https://rp.example.net/callback', scope: 'openid profile', state: 's2', nonce: 'n2' }).href);
        assert.equal(responseParameters(unregistered.location).get('error'), 'invalid_scope');
      });
    });
  });
}
