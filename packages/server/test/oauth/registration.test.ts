import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { registrationRateLimit } from '../../src/oauth/endpoints/register.ts';
import { fullMetadata, registrationSteps, startRegistrationFixture, type HttpAnswer } from '../helpers/client-registration.ts';
import type { OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

/*
 * Dynamic client registration through raw HTTP, as RFC 7591 describes it: POST /oauth2/register with an
 * initial access token. The client configuration endpoint (RFC 7592), secret rotation and a registered
 * client in use: registration-client-configuration.test.ts.
 * Checklist §1.13, across both files: DCR-01 (token required, rate limit), DCR-02, DCR-03, DCR-05, DCR-06.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

for (const backend of backends) {
  describe(`dynamic client registration (RFC 7591) on ${backend}`, () => {
    let server: OAuthServer;
    /** An API key allowed to POST /oauth2/register only: the initial access token. */
    let initialAccessToken: string;
    const { http, register, applicationCount, assertOAuthError } = registrationSteps(() => server, () => initialAccessToken);

    before(async () => {
      ({ server, initialAccessToken } = await startRegistrationFixture(backend));
    });
    after(async () => {
      await server.close();
    });

    describe('registration (RFC 7591 §3)', () => {
      it('registers a confidential client: 201 with every registered value, the secret and the registration access token; unknown metadata ignored', async () => {
        const before = Date.now();
        const answer = await register({ ...fullMetadata, jwks_uri: 'https://client.example.org/jwks', frobnicate: true, 'client_name#fr': 'Synchro' });
        assert.equal(answer.status, 201, JSON.stringify(answer.json));
        assert.equal(answer.headers.get('cache-control'), 'no-store');
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
        const body = answer.json;
        const clientId = body['client_id'] as string;
        assert.match(clientId, uuid);
        assert.equal(typeof body['client_secret'], 'string');
        assert.ok((body['client_secret'] as string).length >= 43, 'a 256-bit secret');
        assert.ok(Math.abs((body['client_id_issued_at'] as number) - Math.floor(before / 1000)) <= 5);
        assert.equal(typeof body['registration_access_token'], 'string');
        assert.ok((body['registration_access_token'] as string).length >= 43, 'a 256-bit registration access token');
        const { client_id: _id, client_secret: _secret, client_id_issued_at: _issued, registration_access_token: _token, ...rest } = body;
        assert.deepEqual(rest, {
          client_secret_expires_at: 0,
          registration_client_uri: `${server.baseUrl}/oauth2/register/${clientId}`,
          scope: 'openid offline_access email calendar.read',
          redirect_uris: fullMetadata.redirect_uris,
          grant_types: fullMetadata.grant_types,
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
          application_type: 'web',
          client_name: 'Calendar Sync',
          client_uri: fullMetadata.client_uri,
          logo_uri: fullMetadata.logo_uri,
          policy_uri: fullMetadata.policy_uri,
          tos_uri: fullMetadata.tos_uri,
          contacts: fullMetadata.contacts,
          software_id: 'calendar-sync',
          software_version: '2.1',
        });

        // Stored as a third-party application of the default tenant (the key has no tenant).
        const application = (await server.client.retrieveApplication(clientId)).response.application!;
        assert.equal(application.tenantId, server.gatehouse.setup.defaultTenantId);
        assert.equal(application.name, 'Calendar Sync');
        const oauth = application.oauthConfiguration!;
        assert.equal(oauth.clientSecret, body['client_secret'], 'the returned secret is the application secret');
        assert.deepEqual(oauth.authorizedRedirectURLs, fullMetadata.redirect_uris);
        assert.equal(oauth.authorizedURLValidationPolicy, 'ExactMatch');
        assert.deepEqual(oauth.enabledGrants, ['authorization_code', 'refresh_token']);
        assert.equal(oauth.clientAuthenticationPolicy, 'Required');
        assert.equal(oauth.proofKeyForCodeExchangePolicy, 'NotRequiredWhenUsingClientAuthentication');
        assert.equal(oauth.relationship, 'ThirdParty');
        assert.equal(oauth.generateRefreshTokens, true);
        assert.equal(oauth.providedScopePolicy?.email?.enabled, true);
        assert.equal(oauth.providedScopePolicy?.profile?.enabled, false, 'a scope not registered cannot be requested');
        assert.deepEqual(application.scopes?.map((scope) => scope.name), ['calendar.read']);
        assert.deepEqual(application.data?.['clientMetadata'], {
          client_name: 'Calendar Sync',
          client_uri: fullMetadata.client_uri,
          logo_uri: fullMetadata.logo_uri,
          policy_uri: fullMetadata.policy_uri,
          tos_uri: fullMetadata.tos_uri,
          contacts: fullMetadata.contacts,
          application_type: 'web',
          token_endpoint_auth_method: 'client_secret_post',
          response_types: ['code'],
          software_id: 'calendar-sync',
          software_version: '2.1',
        });
        // Only the registration access token's SHA-256 is stored (DESIGN: bearer artifacts hashed).
        const row = await server.gatehouse.store.db.selectFrom('client_registrations').selectAll().where('application_id', '=', clientId).executeTakeFirstOrThrow();
        assert.deepEqual(row.token_hash, createHash('sha256').update(body['registration_access_token'] as string).digest());
      });

      it('registers a public native client into the key\'s tenant: NotRequired + PKCE Required, no secret in the response', async () => {
        const tenantId = (await server.client.createTenant('', { tenant: { name: `DCR ${randomUUID()}` } })).response.tenant!.id!;
        const scopedToken = (await server.client.createAPIKey('', { apiKey: { tenantId, permissions: { endpoints: { '/oauth2/register': ['POST'] } } } })).response.apiKey!.key!;
        const answer = await register({ redirect_uris: ['com.example.app:/oauth/callback', 'http://[::1]/cb'], token_endpoint_auth_method: 'none', application_type: 'native' }, scopedToken);
        assert.equal(answer.status, 201, JSON.stringify(answer.json));
        assert.equal(answer.json['client_secret'], undefined);
        assert.equal(answer.json['client_secret_expires_at'], undefined);
        assert.equal(answer.json['token_endpoint_auth_method'], 'none');
        assert.deepEqual(answer.json['grant_types'], ['authorization_code'], 'RFC 7591 §2 default');
        assert.deepEqual(answer.json['response_types'], ['code'], 'RFC 7591 §2 default');
        assert.equal(answer.json['scope'], 'openid profile email phone address', 'no scope registered: the OpenID Connect scopes');
        assert.equal(answer.json['client_name'], undefined);
        const application = (await server.client.retrieveApplication(answer.json['client_id'] as string)).response.application!;
        assert.equal(application.tenantId, tenantId);
        assert.equal(application.name, `Client (${answer.json['client_id'] as string})`);
        assert.equal(application.oauthConfiguration?.clientAuthenticationPolicy, 'NotRequired');
        assert.equal(application.oauthConfiguration?.proofKeyForCodeExchangePolicy, 'Required');
      });

      it('registers a device client without redirect URIs: no response type, the hosted device page as its verification URL', async () => {
        const answer = await register({ grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], token_endpoint_auth_method: 'none', client_name: `TV ${randomUUID()}` });
        assert.equal(answer.status, 201, JSON.stringify(answer.json));
        assert.deepEqual(answer.json['redirect_uris'], []);
        assert.deepEqual(answer.json['response_types'], []);
        assert.deepEqual(answer.json['grant_types'], ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
        const application = (await server.client.retrieveApplication(answer.json['client_id'] as string)).response.application!;
        assert.equal(application.oauthConfiguration?.deviceVerificationURL, `${server.baseUrl}/oauth2/device`);
        assertOAuthError(await register({ grant_types: ['urn:ietf:params:oauth:grant-type:device_code'], response_types: ['code'] }), 400, 'invalid_client_metadata', /response_types/);
      });

      it('gives a second client with a taken client_name a unique application name; a web client may use http on loopback', async () => {
        const name = `Twin ${randomUUID()}`;
        const first = await register({ redirect_uris: ['https://twin.example.com/cb'], client_name: name });
        const second = await register({ redirect_uris: ['http://localhost:8080/cb'], client_name: name.toUpperCase() });
        assert.equal(first.status, 201);
        assert.equal(second.status, 201, JSON.stringify(second.json));
        assert.equal(second.json['client_name'], name.toUpperCase(), 'the client keeps the name it registered');
        const application = (await server.client.retrieveApplication(second.json['client_id'] as string)).response.application!;
        assert.equal(application.name, `${name.toUpperCase()} (${second.json['client_id'] as string})`);
      });

      it('refuses a registration without an initial access token, with an unknown or expired one, one not allowed to register, and one sent without Bearer (DCR-01)', async () => {
        const count = await applicationCount();
        const metadata = { redirect_uris: ['https://nope.example.com/cb'] };
        const none = await register(metadata, null);
        assertOAuthError(none, 401, 'invalid_token', /initial access token/);
        assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="gatehouse"');
        const unknown = await register(metadata, 'not-a-key-at-all-0123456789');
        assertOAuthError(unknown, 401, 'invalid_token');
        assert.equal(unknown.headers.get('www-authenticate'), 'Bearer realm="gatehouse", error="invalid_token"');
        const userKey = (await server.client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/api/user': ['GET', 'POST'] } } } })).response.apiKey!.key!;
        assertOAuthError(await register(metadata, userKey), 401, 'invalid_token', /not allowed to register/);
        const getOnly = (await server.client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/oauth2/register': ['GET'] } } } })).response.apiKey!.key!;
        assertOAuthError(await register(metadata, getOnly), 401, 'invalid_token');
        assertOAuthError(await http('POST', '/oauth2/register', { authorization: initialAccessToken, body: metadata }), 401, 'invalid_token', /Bearer/);
        const expiring = (await server.client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/oauth2/register': ['POST'] } }, expirationInstant: Date.now() + 60_000 } })).response.apiKey!;
        await server.gatehouse.store.db.updateTable('api_keys').set({ expiration_instant: Date.now() - 1000 }).where('id', '=', expiring.id!).execute();
        assertOAuthError(await register(metadata, expiring.key!), 401, 'invalid_token');
        assert.equal(await applicationCount(), count, 'nothing was stored');
        // The initial access token opens nothing else.
        const management = await fetch(`${server.baseUrl}/api/application`, { headers: { authorization: initialAccessToken } });
        assert.equal(management.status, 401);
        // A superuser API key (no endpoint permissions) may register, as it may do anything.
        assert.equal((await register(metadata, server.gatehouse.apiKey)).status, 201);
      });

      it('allows open registration when the tenant says so, and none at all when the tenant turns registration off (403 even with a token)', async () => {
        const tenantId = server.gatehouse.setup.defaultTenantId;
        const metadata = { redirect_uris: ['https://open.example.com/cb'] };
        const patch = (dynamicClientRegistration: Record<string, boolean>) => server.client.patchTenant(tenantId, { tenant: { oauthConfiguration: { dynamicClientRegistration } } as never });
        try {
          await patch({ requireInitialAccessToken: false });
          const tenant = (await server.client.retrieveTenant(tenantId)).response.tenant as unknown as { oauthConfiguration: unknown };
          assert.deepEqual(tenant.oauthConfiguration, { dynamicClientRegistration: { enabled: true, requireInitialAccessToken: false } });
          const open = await register(metadata, null);
          assert.equal(open.status, 201, JSON.stringify(open.json));
          assert.equal((await server.client.retrieveApplication(open.json['client_id'] as string)).response.application?.tenantId, tenantId);
          assertOAuthError(await register(metadata, 'a-wrong-token-is-still-refused'), 401, 'invalid_token');

          await patch({ enabled: false, requireInitialAccessToken: false });
          const count = await applicationCount();
          assertOAuthError(await register(metadata, null), 401, 'invalid_token');
          assertOAuthError(await register(metadata), 403, 'access_denied', /turned off/);
          assert.equal(await applicationCount(), count);
        } finally {
          await patch({ enabled: true, requireInitialAccessToken: true });
        }
        assertOAuthError(await register(metadata, null), 401, 'invalid_token');
      });

      it('answers invalid metadata with invalid_redirect_uri or invalid_client_metadata naming the field, storing nothing (DCR-02, DCR-03, DCR-05)', async () => {
        const web = (extra: Record<string, unknown>) => ({ redirect_uris: ['https://ok.example.com/cb'], ...extra });
        const cases: Array<[string, unknown, string, RegExp]> = [
          ['fragment', { redirect_uris: ['https://a.example.com/cb#frag'] }, 'invalid_redirect_uri', /fragment/],
          ['http on a public host', { redirect_uris: ['http://a.example.com/cb'] }, 'invalid_redirect_uri', /http/],
          ['custom scheme for a web client', { redirect_uris: ['com.example.app:/cb'] }, 'invalid_redirect_uri', /native/],
          ['custom scheme, application_type omitted (web)', { redirect_uris: ['myapp://cb'], application_type: null }, 'invalid_redirect_uri', /native/],
          ['relative URI', { redirect_uris: ['/callback'] }, 'invalid_redirect_uri', /redirect_uris/],
          ['response parameter in the query', { redirect_uris: ['https://a.example.com/cb?code=x'] }, 'invalid_redirect_uri', /redirect_uris/],
          ['javascript: scheme', { redirect_uris: ['javascript:alert(1)//'], application_type: 'native' }, 'invalid_redirect_uri', /redirect_uris/],
          ['no redirect_uris for the code grant', {}, 'invalid_redirect_uri', /redirect_uris is required/],
          ['redirect_uris not an array', { redirect_uris: 'https://a.example.com/cb' }, 'invalid_redirect_uri', /redirect_uris/],
          ['private_key_jwt', web({ token_endpoint_auth_method: 'private_key_jwt' }), 'invalid_client_metadata', /token_endpoint_auth_method/],
          ['password grant', web({ grant_types: ['authorization_code', 'password'] }), 'invalid_client_metadata', /grant_types.*password/],
          ['client_credentials grant', web({ grant_types: ['client_credentials'] }), 'invalid_client_metadata', /grant_types.*client_credentials/],
          ['unknown grant', web({ grant_types: ['urn:example:magic'] }), 'invalid_client_metadata', /grant_types/],
          ['no grant', web({ grant_types: [] }), 'invalid_client_metadata', /grant_types/],
          ['token without implicit', web({ response_types: ['code', 'token'] }), 'invalid_client_metadata', /response_types.*implicit/],
          ['implicit without its response type', web({ grant_types: ['authorization_code', 'implicit'], response_types: ['code'] }), 'invalid_client_metadata', /implicit/],
          ['code response type without the grant', web({ grant_types: ['implicit'], response_types: ['code', 'token'] }), 'invalid_client_metadata', /response_types.*authorization_code/],
          ['hybrid response type', web({ grant_types: ['authorization_code', 'implicit'], response_types: ['code id_token'] }), 'invalid_client_metadata', /response_types/],
          ['jwks and jwks_uri', web({ jwks: { keys: [] }, jwks_uri: 'https://ok.example.com/jwks' }), 'invalid_client_metadata', /jwks/],
          ['a chosen client_id', web({ client_id: randomUUID() }), 'invalid_client_metadata', /client_id/],
          ['a chosen client_secret', web({ client_secret: 'my own secret' }), 'invalid_client_metadata', /client_secret/],
          ['unknown application_type', web({ application_type: 'desktop' }), 'invalid_client_metadata', /application_type/],
          ['logo_uri not a web URL', web({ logo_uri: 'javascript:alert(1)' }), 'invalid_client_metadata', /logo_uri/],
          ['tos_uri with a fragment', web({ tos_uri: 'https://ok.example.com/tos#top' }), 'invalid_client_metadata', /tos_uri/],
          ['reserved scope prefix', web({ scope: 'openid target-entity:abc' }), 'invalid_client_metadata', /scope/],
          ['scope outside the grammar', web({ scope: 'openid a"b' }), 'invalid_client_metadata', /scope/],
          ['id_token_signed_response_alg none', web({ id_token_signed_response_alg: 'none' }), 'invalid_client_metadata', /id_token_signed_response_alg/],
          ['HMAC token_endpoint_auth_signing_alg', web({ token_endpoint_auth_signing_alg: 'HS256' }), 'invalid_client_metadata', /token_endpoint_auth_signing_alg/],
          ['client_name with NUL', web({ client_name: 'evil\u0000name' }), 'invalid_client_metadata', /client_name/],
          ['client_name too long', web({ client_name: 'x'.repeat(151) }), 'invalid_client_metadata', /client_name/],
          ['client_name not a string', web({ client_name: 42 }), 'invalid_client_metadata', /client_name/],
          ['contacts not an array', web({ contacts: 'ops@example.com' }), 'invalid_client_metadata', /contacts/],
          ['an array body', [], 'invalid_client_metadata', /JSON object/],
        ];
        const count = await applicationCount();
        for (const [name, body, error, description] of cases) {
          const answer = await register(body);
          assert.equal(answer.status, 400, `${name}: ${JSON.stringify(answer.json)}`);
          assert.equal(answer.json['error'], error, `${name}: ${JSON.stringify(answer.json)}`);
          assert.match(answer.json['error_description'] as string, description, name);
          assert.equal(answer.headers.get('cache-control'), 'no-store');
        }
        assertOAuthError(await http('POST', '/oauth2/register', { token: initialAccessToken, raw: 'redirect_uris=https%3A%2F%2Fa.example.com', contentType: 'application/x-www-form-urlencoded' }), 415, 'invalid_request', /application\/json/);
        assertOAuthError(await http('POST', '/oauth2/register', { token: initialAccessToken, raw: '{"redirect_uris": [' }), 400, 'invalid_request');
        assert.equal(await applicationCount(), count, 'no refused registration stored anything');
        const notAllowed = await http('GET', '/oauth2/register');
        assert.equal(notAllowed.status, 405);
        assert.equal(notAllowed.headers.get('allow'), 'POST');
      });
    });

    it(`limits registrations per client IP (${registrationRateLimit.max} a minute; DCR-01)`, async () => {
      const statuses: number[] = [];
      let limited: HttpAnswer | undefined;
      for (let attempt = 0; attempt <= registrationRateLimit.max && limited === undefined; attempt++) {
        const answer = await register({ redirect_uris: ['https://x.example.com/cb'] }, null);
        statuses.push(answer.status);
        if (answer.status === 429) limited = answer;
      }
      assert.ok(limited !== undefined, `a 429 within ${registrationRateLimit.max + 1} attempts: ${statuses.join(',')}`);
      assert.equal(limited.json['error'], 'invalid_request');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.ok(statuses.slice(0, -1).every((status) => status === 401));
    });
  });
}
