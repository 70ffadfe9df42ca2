import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ExternalJWTIdentityProvider, FusionAuthClient } from '@fusionauth/typescript-client';
import { createSelfSignedCertificate, defaultValidity } from '../../src/keys/self-signed-certificate.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

type Provider = ExternalJWTIdentityProvider & Record<string, any>;

const ecPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = ecPair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = ecPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const certificate = createSelfSignedCertificate({ privateKey: rsaPair.privateKey, commonName: 'jwt.acme.example', ...defaultValidity(Date.now()) });

const externalJwt = (overrides: Record<string, unknown> = {}): Provider => ({
  type: 'ExternalJWT',
  name: `Acme JWT ${randomUUID()}`,
  headerKeyParameter: 'kid',
  keys: { 'acme-ec': publicPem },
  ...overrides,
}) as Provider;

const withoutInstants = (provider: Provider | undefined) => ({ ...provider, insertInstant: 0, lastUpdateInstant: 0 });

for (const backend of backends) {
  describe(`/api/identity-provider ExternalJWT on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    const stored = (id: string) => gatehouse.store.db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
    const count = async () => Number((await gatehouse.store.db.selectFrom('identity_providers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const create = async (provider: Provider, id = '') => (await client.createIdentityProvider(id, { identityProvider: provider })).response.identityProvider as Provider;
    const domain = () => `${randomUUID().slice(0, 8)}.acme.example`;

    it('creates, retrieves, patches and deletes an ExternalJWT provider with keys, a certificate and its defaults', async () => {
      const id = randomUUID();
      const applicationId = (await client.createApplication('', { application: { name: `JWT app ${randomUUID()}` } })).response.application!.id!;
      const managed = domain();
      const body = externalJwt({
        enabled: true,
        keys: { 'acme-ec': publicPem, 'acme-cert': certificate },
        defaultKeyId: 'acme-ec',
        claimMap: { first_name: 'firstName', dept: 'RegistrationData' },
        domains: [managed.toUpperCase()],
        oauth2: { authorization_endpoint: 'https://acme.example/oauth2/authorize', token_endpoint: 'https://acme.example/oauth2/token', uniqueIdClaim: 'oid' },
        applicationConfiguration: { [applicationId]: { enabled: true, createRegistration: false } },
        linkingStrategy: 'LinkByUsername',
      });
      const created = await client.createIdentityProvider(id, { identityProvider: body });
      assert.equal(created.statusCode, 200);
      const provider = created.response.identityProvider as Provider;
      assert.deepEqual(withoutInstants(provider), {
        id,
        type: 'ExternalJWT',
        name: body.name,
        enabled: true,
        debug: false,
        headerKeyParameter: 'kid',
        keys: { 'acme-ec': publicPem, 'acme-cert': certificate },
        defaultKeyId: 'acme-ec',
        claimMap: { first_name: 'firstName', dept: 'RegistrationData' },
        domains: [managed],
        linkingStrategy: 'LinkByUsername',
        lambdaConfiguration: {},
        applicationConfiguration: { [applicationId]: { enabled: true, createRegistration: false, data: {} } },
        tenantConfiguration: {},
        data: {},
        oauth2: {
          authorization_endpoint: 'https://acme.example/oauth2/authorize',
          token_endpoint: 'https://acme.example/oauth2/token',
          uniqueIdClaim: 'oid',
          emailClaim: 'email',
          emailVerifiedClaim: 'email_verified',
          usernameClaim: 'preferred_username',
        },
        insertInstant: 0,
        lastUpdateInstant: 0,
      });
      const row = await stored(id);
      assert.equal(row?.type, 'ExternalJWT');
      assert.equal(row?.client_secret_sealed, null, 'an ExternalJWT provider has no secret');
      assert.deepEqual((row?.data as Record<string, unknown>)['keys'], { 'acme-ec': publicPem, 'acme-cert': certificate });

      assert.deepEqual((await client.retrieveIdentityProvider(id)).response.identityProvider, provider);
      const listed = (await client.retrieveIdentityProviderByType('ExternalJWT' as never)).response.identityProviders ?? [];
      assert.ok(listed.some((candidate) => candidate.id === id));

      const patched = (await client.patchIdentityProvider(id, { identityProvider: { keys: { 'acme-cert': certificate }, jwksURL: 'https://acme.example/.well-known/jwks.json' } as Provider })).response.identityProvider as Provider;
      assert.deepEqual(patched.keys, { 'acme-ec': publicPem, 'acme-cert': certificate }, 'a merge patch replaces the map members it names and keeps the others');
      assert.equal(patched['jwksURL'], 'https://acme.example/.well-known/jwks.json');
      const replaced = (await client.updateIdentityProvider(id, { identityProvider: externalJwt({ name: body.name, keys: {} }) })).response.identityProvider as Provider;
      assert.deepEqual(replaced.keys, {});
      assert.deepEqual(replaced.domains, [], 'PUT replaces the domains too');

      await client.deleteIdentityProvider(id);
      assert.equal(await stored(id), undefined);
    });

    it('refuses keys that are not PEM public keys or certificates, private keys included, and stores nothing', async () => {
      const before = await count();
      const refused = async (keys: Record<string, string>) => {
        const body = await expectStatus(client.createIdentityProvider('', { identityProvider: externalJwt({ keys }) }), 400);
        assert.deepEqual(errorCodes(body), ['[invalid]identityProvider.keys']);
      };
      await refused({ bad: 'not a key' });
      await refused({ bad: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' });
      await refused({ good: publicPem, private: privatePem });
      await refused({ truncated: certificate.slice(0, 200) });
      assert.equal(await count(), before);
    });

    it('requires a name and the header parameter, checks URLs and domains', async () => {
      const refused = async (provider: Record<string, unknown>, expected: string[]) => {
        const body = await expectStatus(client.createIdentityProvider('', { identityProvider: provider as Provider }), 400);
        assert.deepEqual(errorCodes(body).sort(), [...expected].sort());
      };
      await refused(externalJwt({ headerKeyParameter: ' ' }), ['[blank]identityProvider.headerKeyParameter']);
      await refused({ type: 'ExternalJWT', name: `No header ${randomUUID()}` }, ['[blank]identityProvider.headerKeyParameter']);
      await refused({ type: 'ExternalJWT', headerKeyParameter: 'kid' }, ['[blank]identityProvider.name']);
      await refused(externalJwt({ jwksURL: 'ftp://acme.example/jwks' }), ['[invalid]identityProvider.jwksURL']);
      await refused(externalJwt({ oauth2: { authorization_endpoint: 'acme.example/authorize' } }), ['[invalid]identityProvider.oauth2.authorization_endpoint']);
      await refused(externalJwt({ domains: ['not a domain'] }), ['[invalid]identityProvider.domains']);
      await refused(externalJwt({ claimMap: { a: 1 } }), ['[invalid]identityProvider.claimMap.a']);
    });

    it('refuses a domain already managed by another provider, of any type and in any case, but not by the provider itself', async () => {
      const managed = domain();
      const owner = await create(externalJwt({ domains: [managed] }));
      const before = await count();
      const jwtDuplicate = await expectStatus(client.createIdentityProvider('', { identityProvider: externalJwt({ domains: ['other.example', managed.toUpperCase()] }) }), 400);
      assert.deepEqual(errorCodes(jwtDuplicate), ['[duplicate]identityProvider.domains']);
      const oidc = {
        type: 'OpenIDConnect',
        name: `Corp ${randomUUID()}`,
        buttonText: 'Corp',
        domains: [managed],
        oauth2: { client_id: 'c', client_secret: 's', issuer: 'https://idp.example.com' },
      };
      const oidcDuplicate = await expectStatus(client.createIdentityProvider('', { identityProvider: oidc as Provider }), 400);
      assert.deepEqual(errorCodes(oidcDuplicate), ['[duplicate]identityProvider.domains']);
      assert.equal(await count(), before);

      // Updating the owner keeps its own domains; another provider cannot take them by update either.
      await client.patchIdentityProvider(owner.id!, { identityProvider: { name: `${owner.name} renamed` } as Provider });
      const other = await create(externalJwt({ domains: [domain()] }));
      const taken = await expectStatus(client.patchIdentityProvider(other.id!, { identityProvider: { domains: [managed] } as Provider }), 400);
      assert.deepEqual(errorCodes(taken), ['[duplicate]identityProvider.domains']);
      assert.deepEqual(((await stored(other.id!))?.data as Record<string, unknown>)['domains'], other.domains);

      // Once the owner is gone, the domain is free.
      await client.deleteIdentityProvider(owner.id!);
      assert.equal((await client.patchIdentityProvider(other.id!, { identityProvider: { domains: [managed] } as Provider })).statusCode, 200);
    });

    it('validates the Microsoft Entra multi-tenant flag against the issuer', async () => {
      const entra = (issuer: string) => ({
        type: 'OpenIDConnect',
        name: `Entra ${randomUUID()}`,
        buttonText: 'Login with Microsoft',
        oauth2: { client_id: 'c', client_secret: 's', issuer, microsoftMultiTenant: true, scope: 'openid email profile offline_access' },
      });
      const created = await create(entra('https://login.microsoftonline.com/common/v2.0') as Provider);
      assert.equal(created.oauth2?.['microsoftMultiTenant' as keyof typeof created.oauth2], true);
      const refused = await expectStatus(client.createIdentityProvider('', { identityProvider: entra('https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0') as Provider }), 400);
      assert.deepEqual(errorCodes(refused), ['[invalid]identityProvider.oauth2.microsoftMultiTenant']);
    });
  });
}
