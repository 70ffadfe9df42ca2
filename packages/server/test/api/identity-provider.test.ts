import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BaseIdentityProvider, FusionAuthClient, IdentityProviderType } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

type Provider = BaseIdentityProvider<any> & Record<string, any>;

const oidc = (overrides: Record<string, unknown> = {}): Provider => ({
  type: 'OpenIDConnect',
  name: `Corp SSO ${randomUUID()}`,
  buttonText: 'Login with Corp',
  oauth2: { client_id: 'gatehouse', client_secret: 'upstream-secret-1', issuer: 'https://idp.example.com', scope: 'openid email profile offline_access' },
  ...overrides,
}) as Provider;

const google = (overrides: Record<string, unknown> = {}): Provider => ({
  type: 'Google',
  name: `Google ${randomUUID()}`,
  client_id: 'google-client.apps.googleusercontent.com',
  client_secret: 'google-secret-1',
  scope: 'openid email profile',
  ...overrides,
}) as Provider;

const withoutInstants = (provider: Provider | undefined) => ({ ...provider, insertInstant: 0, lastUpdateInstant: 0 });

for (const backend of backends) {
  describe(`/api/identity-provider on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, clientFor } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    const stored = (id: string) => gatehouse.store.db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
    const count = async () => Number((await gatehouse.store.db.selectFrom('identity_providers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const create = async (provider: Provider, id = '') => (await client.createIdentityProvider(id, { identityProvider: provider })).response.identityProvider as Provider;

    it('creates, retrieves, replaces, patches and deletes an OpenID Connect provider with its defaults', async () => {
      const id = randomUUID();
      const applicationId = (await client.createApplication('', { application: { name: `IdP app ${randomUUID()}` } })).response.application!.id!;
      const body = oidc({ enabled: true, domains: ['Corp.Example', 'corp.example'], applicationConfiguration: { [applicationId]: { enabled: true } } });
      const created = await client.createIdentityProvider(id, { identityProvider: body });
      assert.equal(created.statusCode, 200);
      const provider = created.response.identityProvider as Provider;
      assert.deepEqual(withoutInstants(provider), {
        id,
        type: 'OpenIDConnect',
        name: body.name,
        enabled: true,
        debug: false,
        buttonText: 'Login with Corp',
        domains: ['corp.example'],
        postRequest: false,
        linkingStrategy: 'LinkByEmail',
        lambdaConfiguration: {},
        applicationConfiguration: { [applicationId]: { enabled: true, createRegistration: true, data: {} } },
        tenantConfiguration: {},
        data: {},
        oauth2: {
          client_id: 'gatehouse',
          client_secret: 'upstream-secret-1',
          clientAuthenticationMethod: 'client_secret_basic',
          issuer: 'https://idp.example.com',
          scope: 'openid email profile offline_access',
          uniqueIdClaim: 'sub',
          emailClaim: 'email',
          emailVerifiedClaim: 'email_verified',
          usernameClaim: 'preferred_username',
        },
        insertInstant: 0,
        lastUpdateInstant: 0,
      });
      assert.equal(typeof provider.insertInstant, 'number');
      assert.deepEqual((await client.retrieveIdentityProvider(id)).response.identityProvider, provider);

      // The secret is sealed at rest: neither the column nor the JSON holds it in clear.
      const row = (await stored(id))!;
      assert.ok(row.client_secret_sealed !== null && !row.client_secret_sealed.toString('latin1').includes('upstream-secret-1'));
      assert.ok(!JSON.stringify(row.data).includes('upstream-secret-1'));

      const replaced = await client.updateIdentityProvider(id, {
        identityProvider: oidc({
          name: body.name,
          linkingStrategy: 'CreatePendingLink',
          oauth2: {
            client_id: 'gatehouse-2',
            client_secret: 'upstream-secret-2',
            clientAuthenticationMethod: 'client_secret_post',
            authorization_endpoint: 'https://idp.example.com/authorize',
            token_endpoint: 'https://idp.example.com/token',
            userinfo_endpoint: 'https://idp.example.com/userinfo',
            emailClaim: 'mail',
          },
        }),
      });
      const updated = replaced.response.identityProvider as Provider;
      assert.equal(updated.enabled, false, 'PUT replaces: enabled returns to its default');
      assert.equal(updated.linkingStrategy, 'CreatePendingLink');
      assert.deepEqual(updated.applicationConfiguration, {});
      assert.equal(updated.oauth2.client_secret, 'upstream-secret-2');
      assert.equal(updated.oauth2.issuer, undefined);
      assert.equal(updated.oauth2.emailClaim, 'mail');
      assert.equal(updated.insertInstant, provider.insertInstant);

      const patched = (await client.patchIdentityProvider(id, { identityProvider: { enabled: true, oauth2: { scope: 'openid' } } as Provider })).response.identityProvider as Provider;
      assert.equal(patched.enabled, true);
      assert.equal(patched.oauth2.scope, 'openid');
      assert.equal(patched.oauth2.client_secret, 'upstream-secret-2', 'a merge patch keeps the secret');
      assert.equal(patched.oauth2.token_endpoint, 'https://idp.example.com/token');

      const byType = (type: string) => client.retrieveIdentityProviderByType(type as IdentityProviderType);
      assert.ok((await byType('OpenIDConnect')).response.identityProviders!.some((candidate) => candidate.id === id));
      assert.ok(!(await byType('Google')).response.identityProviders!.some((candidate) => candidate.id === id));
      assert.deepEqual((await byType('SAMLv2')).response.identityProviders, []);
      assert.ok((await client.retrieveIdentityProviders()).response.identityProviders!.some((candidate) => candidate.id === id));

      assert.equal((await client.deleteIdentityProvider(id)).statusCode, 200);
      assert.equal(await stored(id), undefined);
      await expectStatus(client.retrieveIdentityProvider(id), 404);
      await expectStatus(client.deleteIdentityProvider(id), 404);
      await expectStatus(client.updateIdentityProvider(id, { identityProvider: oidc() }), 404);
    });

    it('creates a Google provider with FusionAuth defaults and the refresh-token extensions, and a public OIDC client without a secret', async () => {
      const provider = await create(google());
      assert.equal(provider.buttonText, 'Login with Google');
      assert.equal(provider.loginMethod, 'UsePopup');
      assert.equal(provider.client_secret, 'google-secret-1');
      assert.deepEqual(provider.properties, { accessType: 'offline', prompt: 'consent' });
      const row = (await stored(provider.id!))!;
      assert.equal(row.type, 'Google');
      assert.ok(row.client_secret_sealed !== null && !row.client_secret_sealed.toString('latin1').includes('google-secret-1'));
      assert.ok(!JSON.stringify(row.data).includes('google-secret-1'));

      const patched = (await client.patchIdentityProvider(provider.id!, { identityProvider: { properties: { accessType: 'online' }, loginMethod: 'UseRedirect' } as Provider })).response
        .identityProvider as Provider;
      assert.deepEqual(patched.properties, { accessType: 'online', prompt: 'consent' });
      assert.equal(patched.loginMethod, 'UseRedirect');
      assert.equal(patched.client_secret, 'google-secret-1');

      const publicClient = await create(oidc({ oauth2: { client_id: 'spa', clientAuthenticationMethod: 'none', client_secret: 'ignored', issuer: 'https://idp.example.com' } }));
      assert.equal(publicClient.oauth2.client_secret, undefined);
      assert.equal((await stored(publicClient.id!))!.client_secret_sealed, null);
    });

    it('refuses invalid bodies with FusionAuth field errors and stores nothing', async () => {
      const before = await count();
      const refused = async (provider: unknown, expected: string[]) => {
        const body = await expectStatus(client.createIdentityProvider('', { identityProvider: provider as Provider }), 400);
        assert.deepEqual(errorCodes(body).sort(), [...expected].sort());
      };
      await refused({ ...oidc(), type: undefined }, ['[blank]identityProvider.type']);
      await refused({ ...oidc(), type: 'Microsoft' }, ['[invalid]identityProvider.type']);
      await refused({ ...oidc(), name: '  ' }, ['[blank]identityProvider.name']);
      await refused({ ...oidc(), name: undefined }, ['[blank]identityProvider.name']);
      await refused({ ...oidc(), buttonText: '' }, ['[blank]identityProvider.buttonText']);
      await refused(oidc({ oauth2: { client_secret: 's', issuer: 'https://idp.example.com' } }), ['[blank]identityProvider.oauth2.client_id']);
      await refused(oidc({ oauth2: { client_id: 'c', issuer: 'https://idp.example.com' } }), ['[blank]identityProvider.oauth2.client_secret']);
      await refused(oidc({ oauth2: { client_id: 'c', client_secret: 's' } }), ['[blank]identityProvider.oauth2.authorization_endpoint', '[blank]identityProvider.oauth2.token_endpoint']);
      await refused(oidc({ oauth2: { client_id: 'c', client_secret: 's', issuer: 'not a url', userinfo_endpoint: 'ftp://idp.example.com/u' } }), [
        '[invalid]identityProvider.oauth2.issuer',
        '[invalid]identityProvider.oauth2.userinfo_endpoint',
      ]);
      await refused(oidc({ oauth2: { client_id: 'c', client_secret: 's', issuer: 'https://idp.example.com', clientAuthenticationMethod: 'private_key_jwt' } }), [
        '[invalid]identityProvider.oauth2.clientAuthenticationMethod',
      ]);
      await refused(oidc({ buttonImageURL: 'javascript:alert(1)' }), ['[invalid]identityProvider.buttonImageURL']);
      await refused(oidc({ domains: ['not a domain'] }), ['[invalid]identityProvider.domains']);
      await refused(oidc({ linkingStrategy: 'LinkByPhone' }), ['[invalid]identityProvider.linkingStrategy']);
      await refused(oidc({ applicationConfiguration: { [randomUUID()]: { enabled: true } } }), ['[invalid]identityProvider.applicationConfiguration']);
      await refused(oidc({ tenantConfiguration: { [randomUUID()]: {} } }), ['[invalid]identityProvider.tenantConfiguration']);
      await refused({ ...google(), client_id: '', client_secret: undefined }, ['[blank]identityProvider.client_id', '[blank]identityProvider.client_secret']);
      await refused(google({ loginMethod: 'UseCarrierPigeon' }), ['[invalid]identityProvider.loginMethod']);
      await refused(google({ properties: { accessType: 'forever' } }), ['[invalid]identityProvider.properties.accessType']);
      assert.equal(await count(), before);

      const existing = await create(oidc());
      const duplicate = await expectStatus(client.createIdentityProvider('', { identityProvider: oidc({ name: existing.name!.toUpperCase() }) }), 400);
      assert.deepEqual(errorCodes(duplicate), ['[duplicate]identityProvider.name']);
      const sameId = await expectStatus(client.createIdentityProvider(existing.id!, { identityProvider: oidc() }), 400);
      assert.deepEqual(errorCodes(sameId), ['[duplicate]identityProviderId']);
      const retyped = await expectStatus(client.updateIdentityProvider(existing.id!, { identityProvider: google({ name: existing.name }) }), 400);
      assert.deepEqual(errorCodes(retyped), ['[invalid]identityProvider.type']);
      const unset = await expectStatus(client.patchIdentityProvider(existing.id!, { identityProvider: { oauth2: { client_id: null } } as unknown as Provider }), 400);
      assert.deepEqual(errorCodes(unset), ['[blank]identityProvider.oauth2.client_id']);
      assert.equal(await count(), before + 1);
      assert.deepEqual((await client.retrieveIdentityProvider(existing.id!)).response.identityProvider, existing);
    });

    it('keeps an application it already had after that application is deleted, but refuses a new unknown one', async () => {
      const applicationId = (await client.createApplication('', { application: { name: `Gone app ${randomUUID()}` } })).response.application!.id!;
      const provider = await create(oidc({ applicationConfiguration: { [applicationId.toUpperCase()]: { enabled: true, createRegistration: false } } }));
      assert.deepEqual(provider.applicationConfiguration, { [applicationId]: { enabled: true, createRegistration: false, data: {} } });
      await client.deleteApplication(applicationId);
      const patched = (await client.patchIdentityProvider(provider.id!, { identityProvider: { enabled: true } as Provider })).response.identityProvider as Provider;
      assert.equal(patched.enabled, true);
      const unknown = randomUUID();
      const refused = await expectStatus(client.patchIdentityProvider(provider.id!, { identityProvider: { applicationConfiguration: { [unknown]: { enabled: true } } } as Provider }), 400);
      assert.deepEqual(errorCodes(refused), ['[invalid]identityProvider.applicationConfiguration']);
      assert.deepEqual((await client.retrieveIdentityProvider(provider.id!)).response.identityProvider, patched);
    });

    it('lets a tenant-scoped key read identity providers but not write them (they are global)', async () => {
      const provider = await create(oidc());
      const tenantId = (await client.createTenant('', { tenant: { name: `Scoped ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId } })).response.apiKey!.key!);
      assert.equal((await scoped.retrieveIdentityProvider(provider.id!)).response.identityProvider?.name, provider.name);
      await expectStatus(scoped.createIdentityProvider('', { identityProvider: oidc() }), 401);
      await expectStatus(scoped.updateIdentityProvider(provider.id!, { identityProvider: oidc({ name: provider.name }) }), 401);
      await expectStatus(scoped.patchIdentityProvider(provider.id!, { identityProvider: { enabled: true } as Provider }), 401);
      await expectStatus(scoped.deleteIdentityProvider(provider.id!), 401);
      assert.deepEqual((await client.retrieveIdentityProvider(provider.id!)).response.identityProvider, provider);
    });
  });
}
