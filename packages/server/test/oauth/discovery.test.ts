import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { backends } from '../helpers/test-stores.ts';
import { createOAuthApplication, createOAuthUser, mintGrantTokens, startOAuthServer, type OAuthServer } from '../helpers/oauth-fixtures.ts';

const insecure = { [oauth.allowInsecureRequests]: true };
const clientOptions = { execute: [openid.allowInsecureRequests] };

for (const backend of backends) {
  describe(`discovery (/.well-known/openid-configuration, RFC 8414) on ${backend}`, () => {
    let server: OAuthServer;
    let defaultTenantId: string;
    let tenantId: string;
    let tenantIssuer: string;

    before(async () => {
      server = await startOAuthServer(backend);
      defaultTenantId = server.gatehouse.setup.defaultTenantId;
      tenantId = randomUUID();
      tenantIssuer = `${server.baseUrl}/${tenantId}`;
      await server.client.createTenant(tenantId, { tenant: { name: `Tenant ${tenantId}`, issuer: tenantIssuer } });
    });
    after(async () => {
      await server.close();
    });

    async function get(path: string, headers: Record<string, string> = {}) {
      const response = await fetch(`${server.baseUrl}${path}`, { headers });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
    }

    it('lists exactly what Gatehouse supports, with the server URL as the default tenant issuer (DISC-01, DISC-03, DISC-04)', async () => {
      const answer = await get('/.well-known/openid-configuration', { origin: 'https://spa.example.com' });
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type')!, /^application\/json/);
      assert.equal(answer.headers.get('cache-control'), 'public, max-age=300');
      assert.equal(answer.headers.get('access-control-allow-origin'), '*');
      const base = server.baseUrl;
      assert.deepEqual(answer.json, {
        issuer: base,
        authorization_endpoint: `${base}/oauth2/authorize`,
        token_endpoint: `${base}/oauth2/token`,
        userinfo_endpoint: `${base}/oauth2/userinfo`,
        end_session_endpoint: `${base}/oauth2/logout`,
        introspection_endpoint: `${base}/oauth2/introspect`,
        revocation_endpoint: `${base}/oauth2/revoke`,
        device_authorization_endpoint: `${base}/oauth2/device_authorize`,
        registration_endpoint: `${base}/oauth2/register`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        scopes_supported: ['openid', 'offline_access', 'profile', 'email', 'phone', 'address'],
        response_types_supported: ['code', 'token', 'id_token', 'id_token token'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        grant_types_supported: ['authorization_code', 'implicit', 'password', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'EdDSA'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        code_challenge_methods_supported: ['S256'],
        prompt_values_supported: ['none', 'login', 'consent'],
        claim_types_supported: ['normal'],
        claims_supported: (answer.json as { claims_supported: string[] }).claims_supported,
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        authorization_response_iss_parameter_supported: true,
        frontchannel_logout_supported: false,
        backchannel_logout_supported: false,
      });
      const claims = (answer.json as { claims_supported: string[] }).claims_supported;
      for (const claim of ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'email', 'email_verified', 'name', 'phone_number']) assert.ok(claims.includes(claim), claim);
      const jwks = await get('/.well-known/jwks.json');
      assert.equal(jwks.status, 200);
      assert.equal(jwks.headers.get('access-control-allow-origin'), '*');
    });

    it('passes openid-client discovery() with its strict issuer check, then serves userinfo, introspection and revocation', async () => {
      const app = await createOAuthApplication(server, { tenantId: defaultTenantId });
      const user = await createOAuthUser(server, app.application, { tenantId: defaultTenantId });
      const config = await openid.discovery(new URL(server.baseUrl), app.clientId, app.clientSecret, undefined, clientOptions);
      assert.equal(config.serverMetadata().issuer, server.baseUrl);
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid', 'offline_access', 'email'], refreshToken: true });
      const info = await openid.fetchUserInfo(config, minted.accessToken, decodeJwt(minted.idToken!).sub!);
      assert.deepEqual(info, { sub: user.id, email: user.email, email_verified: true });
      const introspected = await openid.tokenIntrospection(config, minted.refreshToken!);
      assert.equal(introspected.active, true);
      assert.equal(introspected.token_type, 'refresh_token');
      await openid.tokenRevocation(config, minted.refreshToken!);
      assert.equal((await openid.tokenIntrospection(config, minted.accessToken)).active, false);
    });

    it('serves a tenant whose issuer is <public URL>/<tenantId> at <issuer>/.well-known/openid-configuration', async () => {
      const answer = await get(`/${tenantId}/.well-known/openid-configuration`);
      assert.equal(answer.status, 200);
      assert.equal(answer.json!['issuer'], tenantIssuer);
      assert.equal(answer.json!['token_endpoint'], `${server.baseUrl}/oauth2/token`, 'endpoints stay at the server URL');
      assert.equal((await get(`/.well-known/openid-configuration?tenantId=${tenantId}`)).json!['issuer'], tenantIssuer);
      assert.equal((await get(`/${defaultTenantId}/.well-known/openid-configuration`)).json!['issuer'], server.baseUrl);

      const app = await createOAuthApplication(server, { tenantId });
      const user = await createOAuthUser(server, app.application, { tenantId });
      const config = await openid.discovery(new URL(tenantIssuer), app.clientId, app.clientSecret, undefined, clientOptions);
      assert.equal(config.serverMetadata().issuer, tenantIssuer);
      const minted = await mintGrantTokens(server, app, user, { scopes: ['openid'] });
      assert.equal(decodeJwt(minted.accessToken).iss, tenantIssuer);
      assert.deepEqual(await openid.fetchUserInfo(config, minted.accessToken, user.id!), { sub: user.id });
      const introspected = await openid.tokenIntrospection(config, minted.accessToken);
      assert.equal(introspected.active, true);
      assert.equal(introspected.iss, tenantIssuer);

      // A token of this tenant's client signed with another issuer is not accepted.
      const wrongIssuer = await mintGrantTokens(server, app, user, { scopes: ['openid'], issuer: server.baseUrl });
      assert.equal((await openid.tokenIntrospection(config, wrongIssuer.accessToken)).active, false);
    });

    it('serves RFC 8414 metadata, path-inserted for a tenant issuer with a path (DISC-05)', async () => {
      const issuer = new URL(tenantIssuer);
      const metadata = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }));
      assert.equal(metadata.issuer, tenantIssuer);
      assert.equal(metadata.revocation_endpoint, `${server.baseUrl}/oauth2/revoke`);
      const root = new URL(server.baseUrl);
      assert.equal((await oauth.processDiscoveryResponse(root, await oauth.discoveryRequest(root, { ...insecure, algorithm: 'oauth2' }))).issuer, server.baseUrl);
    });

    it('answers 404 for an unknown or malformed tenant', async () => {
      for (const path of [
        `/${randomUUID()}/.well-known/openid-configuration`,
        '/not-a-uuid/.well-known/openid-configuration',
        `/.well-known/openid-configuration?tenantId=${randomUUID()}`,
        '/.well-known/openid-configuration?tenantId=nope',
        `/.well-known/openid-configuration?tenantId=${tenantId}&tenantId=${tenantId}`,
        `/.well-known/oauth-authorization-server/${randomUUID()}`,
      ]) {
        const answer = await get(path);
        assert.equal(answer.status, 404, path);
        assert.equal(answer.text, '');
      }
    });

    it('follows the tenant issuer when it changes (no stale document on this node)', async () => {
      const changing = randomUUID();
      await server.client.createTenant(changing, { tenant: { name: `Changing ${changing}` } });
      assert.equal((await get(`/${changing}/.well-known/openid-configuration`)).json!['issuer'], server.baseUrl);
      await server.client.patchTenant(changing, { tenant: { issuer: `${server.baseUrl}/${changing}` } });
      assert.equal((await get(`/${changing}/.well-known/openid-configuration`)).json!['issuer'], `${server.baseUrl}/${changing}`);
    });
  });
}
