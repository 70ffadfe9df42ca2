import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BaseIdentityProvider, FusionAuthClient } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

type Provider = BaseIdentityProvider<any> & Record<string, any>;

// Seed 002: "Acme Corp. ADFS" manages playtronics.com; the Lookup API answers with its endpoints.
const authorizationEndpoint = 'https://acme.com/adfs/oauth2/authorize?client_id=cf3b00da-9551-460a-ad18-33232e6cbff0&response_type=code&redirect_uri=https://acme.com/oauth2/redirect';
const tokenEndpoint = 'https://acme.com/adfs/oauth2/token';

for (const backend of backends) {
  describe(`GET /api/identity-provider/lookup on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let anonymous: FusionAuthClient;
    let baseUrl: string;
    let applicationId: string;
    const adfsId = 'a4e78daa-33a6-4844-b081-7779af1f09a4';
    before(async () => {
      gatehouse = await createTestApp(backend);
      let clientFor: (apiKey: string) => FusionAuthClient;
      ({ client, clientFor, baseUrl } = await serveWithClient(gatehouse));
      anonymous = clientFor('');
      applicationId = (await client.createApplication('', { application: { name: `ADFS app ${randomUUID()}` } })).response.application!.id!;
      const disabledApplicationId = (await client.createApplication('', { application: { name: `Off app ${randomUUID()}` } })).response.application!.id!;
      await client.createIdentityProvider(adfsId, {
        identityProvider: {
          type: 'ExternalJWT',
          name: 'Acme Corp. ADFS',
          enabled: true,
          headerKeyParameter: 'kid',
          domains: ['playtronics.com'],
          oauth2: { authorization_endpoint: authorizationEndpoint, token_endpoint: tokenEndpoint },
          applicationConfiguration: { [applicationId]: { enabled: true }, [disabledApplicationId]: { enabled: false } },
        } as Provider,
      });
    });
    after(async () => {
      await gatehouse.close();
    });

    const seed002 = () => ({
      identityProvider: {
        id: adfsId,
        name: 'Acme Corp. ADFS',
        type: 'ExternalJWT',
        oauth2: { authorization_endpoint: authorizationEndpoint, token_endpoint: tokenEndpoint },
        applicationIds: [applicationId],
      },
    });

    it('answers seed 002 by domain, without an API key', async () => {
      const found = await anonymous.lookupIdentityProvider('playtronics.com');
      assert.equal(found.statusCode, 200);
      assert.deepEqual(found.response, seed002());
    });

    it('takes the domain of an e-mail address, in any case, and ignores tenantId (providers are global)', async () => {
      assert.deepEqual((await anonymous.lookupIdentityProvider('Richard.Hendricks@Playtronics.COM')).response, seed002());
      assert.deepEqual((await anonymous.lookupIdentityProviderByTenantId('richard@playtronics.com', randomUUID())).response, seed002());
      // An API key sent anyway, even a wrong one, changes nothing.
      assert.equal((await client.lookupIdentityProvider('playtronics.com')).statusCode, 200);
      const withBadKey = await fetch(`${baseUrl}/api/identity-provider/lookup?domain=playtronics.com`, { headers: { authorization: 'not-a-key' } });
      assert.equal(withBadKey.status, 200);
    });

    it('is 404 for unmanaged domains, sub- and parent domains, and an empty domain', async () => {
      for (const domain of ['piedpiper.com', 'richard@piedpiper.com', 'eu.playtronics.com', 'com', 'playtronics.com@evil.example', '', '@']) {
        await expectStatus(anonymous.lookupIdentityProvider(domain), 404);
      }
      const missing = await fetch(`${baseUrl}/api/identity-provider/lookup`);
      assert.equal(missing.status, 404);
    });

    it('finds only enabled providers, and follows a domain moved to another provider', async () => {
      const domain = `${randomUUID().slice(0, 8)}.example.com`;
      const provider = (
        await client.createIdentityProvider('', {
          identityProvider: { type: 'OpenIDConnect', name: `Corp ${randomUUID()}`, buttonText: 'Corp', domains: [domain], oauth2: { client_id: 'c', client_secret: 's', issuer: 'https://idp.example.com' } } as Provider,
        })
      ).response.identityProvider!;
      await expectStatus(anonymous.lookupIdentityProvider(domain), 404);
      await client.patchIdentityProvider(provider.id!, { identityProvider: { enabled: true } as Provider });
      const found = (await anonymous.lookupIdentityProvider(`someone@${domain}`)).response.identityProvider;
      // Endpoints discovered from the issuer are not stored: an OpenID Connect provider with only an issuer answers without them.
      assert.deepEqual(found, { id: provider.id, name: provider.name, type: 'OpenIDConnect', oauth2: {}, applicationIds: [] });
      await client.patchIdentityProvider(provider.id!, { identityProvider: { domains: [] } as Provider });
      await expectStatus(anonymous.lookupIdentityProvider(domain), 404);
      await client.deleteIdentityProvider(provider.id!);
    });

    it('does not read lookup as an identity provider id', async () => {
      const retrieve = await fetch(`${baseUrl}/api/identity-provider/lookup?domain=playtronics.com`, { method: 'DELETE', headers: { authorization: gatehouse.apiKey } });
      assert.notEqual(retrieve.status, 200);
      assert.equal((await client.retrieveIdentityProvider(adfsId)).statusCode, 200, 'nothing was deleted');
    });
  });
}
