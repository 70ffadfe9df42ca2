import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyRing, generateMasterKeySpec, parseMasterKeys } from '../keys/key-ring.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import { authenticationTypeOf, createsRegistration, enabledForApplication, googleIssuer, isResponseIssuer, upstreamClient, upstreamEndpoints } from './upstream-client.ts';
import type { UpstreamMetadata } from './upstream-metadata.ts';

const keyRing = createKeyRing(parseMasterKeys(generateMasterKeySpec()));
const applicationId = '3c219e58-ed0e-4b18-ad48-f4f92793ae32';
const tenantGuid = '72f988bf-86f1-41af-91ab-2d7cd011db47';

const provider = (type: string, settings: Record<string, unknown>, enabled = true): IdentityProvider => ({
  id: 'a2f8a1a2-7d3e-4b43-9d5d-8a4bd8a7d0c1',
  type,
  name: type,
  enabled,
  settings,
  clientSecretSealed: undefined,
  insertInstant: 0,
  lastUpdateInstant: 0,
});

describe('upstream client of a Google provider', () => {
  it('is an OpenID client of https://accounts.google.com asking for a refresh token by default', () => {
    const client = upstreamClient(keyRing, provider('Google', { client_id: 'google-client', scope: 'email profile' }));
    assert.equal(client.issuer, googleIssuer);
    assert.equal(client.issuer, 'https://accounts.google.com');
    assert.equal(client.clientId, 'google-client');
    assert.equal(client.scope, 'openid email profile');
    assert.deepEqual(client.authorizeParameters, { access_type: 'offline', prompt: 'consent' });
    assert.equal(client.authentication, 'client_secret_post');
    assert.equal(client.multiTenant, false);
    assert.equal(client.postRequest, false);
  });

  it('keeps a scope that already holds openid, and defaults to openid email profile', () => {
    assert.equal(upstreamClient(keyRing, provider('Google', { scope: 'profile openid' })).scope, 'profile openid');
    assert.equal(upstreamClient(keyRing, provider('Google', {})).scope, 'openid email profile');
  });

  it('takes access_type and prompt from properties', () => {
    const client = upstreamClient(keyRing, provider('Google', { properties: { accessType: 'online', prompt: 'select_account' } }));
    assert.deepEqual(client.authorizeParameters, { access_type: 'online', prompt: 'select_account' });
  });
});

describe('upstream client of an OpenIDConnect provider', () => {
  it('reads oauth2: client, authentication, claim names, issuer, postRequest', () => {
    const client = upstreamClient(
      keyRing,
      provider('OpenIDConnect', {
        postRequest: true,
        oauth2: { client_id: 'corp', issuer: 'https://idp.corp.example', clientAuthenticationMethod: 'client_secret_post', scope: 'openid email', uniqueIdClaim: 'oid', emailClaim: 'mail', usernameClaim: 'upn' },
      }),
    );
    assert.equal(client.clientId, 'corp');
    assert.equal(client.issuer, 'https://idp.corp.example');
    assert.equal(client.authentication, 'client_secret_post');
    assert.deepEqual(client.claims, { uniqueId: 'oid', email: 'mail', emailVerified: 'email_verified', username: 'upn' });
    assert.equal(client.postRequest, true);
    assert.equal(client.clientSecret, undefined);
    assert.deepEqual(client.authorizeParameters, {});
  });

  it('adds prompt=consent when the scope asks for offline_access (OIDC Core §11)', () => {
    const client = upstreamClient(keyRing, provider('OpenIDConnect', { oauth2: { issuer: 'https://idp.example', scope: 'openid email offline_access' } }));
    assert.deepEqual(client.authorizeParameters, { prompt: 'consent' });
  });

  it('defaults to scope openid, client_secret_basic and the standard claim names', () => {
    const client = upstreamClient(keyRing, provider('OpenIDConnect', { oauth2: {} }));
    assert.equal(client.scope, 'openid');
    assert.equal(client.authentication, 'client_secret_basic');
    assert.equal(client.issuer, undefined);
    assert.deepEqual(client.claims, { uniqueId: 'sub', email: 'email', emailVerified: 'email_verified', username: 'preferred_username' });
  });

  it('uses explicit endpoints without an issuer, and never fetches discovery for them', async () => {
    const client = upstreamClient(
      keyRing,
      provider('OpenIDConnect', { oauth2: { authorization_endpoint: 'https://idp.example/authorize?tenant=x', token_endpoint: 'https://idp.example/token', userinfo_endpoint: 'https://idp.example/userinfo' } }),
    );
    const noDiscovery: UpstreamMetadata = { metadata: () => Promise.reject(new Error('discovery must not be fetched')) };
    assert.deepEqual(await upstreamEndpoints(client, noDiscovery), {
      authorization: 'https://idp.example/authorize?tenant=x',
      token: 'https://idp.example/token',
      userinfo: 'https://idp.example/userinfo',
      jwksUri: undefined,
      issParameterSupported: false,
    });
  });
});

describe('isResponseIssuer (RFC 9207)', () => {
  it('a single-tenant provider accepts exactly its issuer', () => {
    const client = { issuer: `https://login.microsoftonline.com/${tenantGuid}/v2.0`, multiTenant: false };
    assert.equal(isResponseIssuer(client, `https://login.microsoftonline.com/${tenantGuid}/v2.0`), true);
    assert.equal(isResponseIssuer(client, `https://login.microsoftonline.com/${tenantGuid}/v2.0/`), false);
    assert.equal(isResponseIssuer(client, `https://login.microsoftonline.com/${tenantGuid.toUpperCase()}/v2.0`), false);
    assert.equal(isResponseIssuer(client, 'https://attacker.example'), false);
  });

  it('a multi-tenant Entra provider accepts any tenant GUID issuer at login.microsoftonline.com, and nothing else', () => {
    const client = { issuer: 'https://login.microsoftonline.com/common/v2.0', multiTenant: true };
    assert.equal(isResponseIssuer(client, `https://login.microsoftonline.com/${tenantGuid}/v2.0`), true);
    assert.equal(isResponseIssuer(client, 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0'), true);
    for (const other of [
      `https://login.microsoftonline.com.attacker.example/${tenantGuid}/v2.0`,
      `https://attacker.example/${tenantGuid}/v2.0`,
      `http://login.microsoftonline.com/${tenantGuid}/v2.0`,
      'https://login.microsoftonline.com/common/v2.0',
      `https://login.microsoftonline.com/${tenantGuid}/v2.0/extra`,
      `https://login.microsoftonline.com/${tenantGuid}`,
    ]) {
      assert.equal(isResponseIssuer(client, other), false, other);
    }
  });

  it('a provider with explicit endpoints has no issuer to compare: any iss passes (its responses are checked otherwise)', () => {
    assert.equal(isResponseIssuer({ issuer: undefined, multiTenant: false }, 'https://anything.example'), true);
  });
});

describe('provider settings per application', () => {
  it('enabledForApplication needs the provider enabled and enabled for that application', () => {
    const settings = { applicationConfiguration: { [applicationId]: { enabled: true } } };
    assert.equal(enabledForApplication(provider('OpenIDConnect', settings), applicationId), true);
    assert.equal(enabledForApplication(provider('OpenIDConnect', settings, false), applicationId), false);
    assert.equal(enabledForApplication(provider('OpenIDConnect', settings), 'another-application'), false);
    assert.equal(enabledForApplication(provider('OpenIDConnect', { applicationConfiguration: { [applicationId]: { enabled: false } } }), applicationId), false);
    assert.equal(enabledForApplication(provider('OpenIDConnect', {}), applicationId), false);
  });

  it('createsRegistration defaults to true and is false only when the application says so', () => {
    assert.equal(createsRegistration(provider('OpenIDConnect', {}), applicationId), true);
    assert.equal(createsRegistration(provider('OpenIDConnect', { applicationConfiguration: { [applicationId]: { enabled: true } } }), applicationId), true);
    assert.equal(createsRegistration(provider('OpenIDConnect', { applicationConfiguration: { [applicationId]: { createRegistration: false } } }), applicationId), false);
    assert.equal(createsRegistration(provider('OpenIDConnect', { applicationConfiguration: { [applicationId]: { createRegistration: false } } }), 'another-application'), true);
  });

  it('authenticationTypeOf answers FusionAuth values', () => {
    assert.equal(authenticationTypeOf(provider('Google', {})), 'GOOGLE');
    assert.equal(authenticationTypeOf(provider('OpenIDConnect', {})), 'OPENID_CONNECT');
    assert.equal(authenticationTypeOf(provider('ExternalJWT', {})), 'FEDERATED_JWT');
  });
});
