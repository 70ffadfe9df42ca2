import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Application, FusionAuthClient } from '@fusionauth/typescript-client';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** The parts of an application a copy must reproduce (everything but ids, name, secret and instants). */
function configuration(application: Application) {
  const { id: _id, name: _name, insertInstant: _inserted, lastUpdateInstant: _updated, roles, scopes, oauthConfiguration, ...rest } = application;
  const { clientId: _clientId, clientSecret: _secret, ...oauth } = oauthConfiguration!;
  return {
    ...rest,
    oauth,
    roles: roles!.map(({ id: _roleId, insertInstant: _i, lastUpdateInstant: _u, ...role }) => role),
    scopes: scopes!.map(({ id: _scopeId, applicationId: _app, insertInstant: _i, lastUpdateInstant: _u, ...scope }) => scope),
  };
}

for (const backend of backends) {
  describe(`POST /api/application with sourceApplicationId on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    let source: Application;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, clientFor } = await serveWithClient(gatehouse));
      const created = await client.createApplication('', {
        application: {
          name: 'Source',
          tenantId: gatehouse.setup.defaultTenantId,
          roles: [{ name: 'admin', isSuperRole: true, description: 'Everything' }, { name: 'viewer', isDefault: true }],
          oauthConfiguration: { authorizedRedirectURLs: ['https://app.example.com/callback'], enabledGrants: ['authorization_code', 'refresh_token'], clientSecret: 'source-secret' },
          jwtConfiguration: { enabled: true, timeToLiveInSeconds: 120 },
          loginConfiguration: { generateRefreshTokens: true },
          data: { team: 'blue' },
        } as Application,
      });
      const id = created.response.application!.id!;
      await client.createOAuthScope(id, '', { scope: { name: 'orders:read', description: 'Read orders', defaultConsentMessage: 'See your orders', required: true, data: { x: 1 } } });
      await client.createOAuthScope(id, '', { scope: { name: 'orders:write' } });
      source = (await client.retrieveApplication(id)).response.application!;
    });
    after(async () => {
      await gatehouse.close();
    });

    const count = async (table: 'applications' | 'application_roles' | 'application_scopes') =>
      Number((await gatehouse.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const applicationCount = async () => `${await count('applications')}/${await count('application_roles')}/${await count('application_scopes')}`;

    it("copies the source's configuration, roles and scopes under new ids, with the request's name and a new secret", async () => {
      const id = randomUUID();
      const response = await client.createApplication(id, { application: { name: 'Copy', data: { team: 'ignored' }, roles: [{ name: 'ignored' }] }, sourceApplicationId: source.id! });
      assert.equal(response.statusCode, 200);
      const copy = response.response.application!;
      assert.equal(copy.id, id);
      assert.equal(copy.name, 'Copy');
      assert.equal(copy.tenantId, source.tenantId);
      assert.equal(copy.active, true);
      assert.deepEqual(configuration(copy), configuration(source), 'everything else comes from the source');
      assert.deepEqual(copy.data, { team: 'blue' });
      assert.equal(copy.oauthConfiguration!.clientId, id);
      assert.notEqual(copy.oauthConfiguration!.clientSecret, 'source-secret', 'a new client secret');
      assert.ok((copy.oauthConfiguration!.clientSecret ?? '').length >= 32);
      const sourceIds = new Set([...source.roles!, ...source.scopes!].map((item) => item.id));
      for (const item of [...copy.roles!, ...copy.scopes!]) assert.equal(sourceIds.has(item.id), false, `${item.name} has a new id`);
      assert.ok(copy.scopes!.every((scope) => scope.applicationId === id));
      assert.deepEqual((await client.retrieveApplication(id)).response.application, copy, 'stored as returned');
      assert.deepEqual((await client.retrieveApplication(source.id!)).response.application, source, 'the source is unchanged');

      const generated = (await client.createApplication('', { application: { name: 'Copy 2' }, sourceApplicationId: source.id! })).response.application!;
      assert.notEqual(generated.id, source.id);
      assert.deepEqual(configuration(generated), configuration(source));
    });

    it('refuses an unknown or malformed source, a blank or taken name and a taken id, storing nothing', async () => {
      const before = await applicationCount();
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['', { application: { name: 'Nope' }, sourceApplicationId: randomUUID() }, '[invalid]sourceApplicationId'],
        ['', { application: { name: 'Nope' }, sourceApplicationId: 'not-a-uuid' }, '[invalid]sourceApplicationId'],
        ['', { application: {}, sourceApplicationId: source.id }, '[blank]application.name'],
        ['', { application: { name: '  ' }, sourceApplicationId: source.id }, '[blank]application.name'],
        ['', { application: { name: 'SOURCE' }, sourceApplicationId: source.id }, '[duplicate]application.name'],
        [source.id!, { application: { name: 'Same id' }, sourceApplicationId: source.id }, '[duplicate]application.id'],
      ];
      for (const [id, request, code] of cases) {
        const body = await expectStatus(client.createApplication(id, request), 400);
        assert.deepEqual(errorCodes(body), [code], JSON.stringify(request));
      }
      assert.equal(await applicationCount(), before, 'no application, role or scope stored');
    });

    it('copies only applications the caller may see', async () => {
      const tenantId = (await client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId } })).response.apiKey!.key!);
      const before = await applicationCount();
      const refused = await expectStatus(scoped.createApplication('', { application: { name: 'Stolen' }, sourceApplicationId: source.id! }), 400);
      assert.deepEqual(errorCodes(refused), ['[invalid]sourceApplicationId']);
      assert.equal(await applicationCount(), before);
      const own = (await scoped.createApplication('', { application: { name: 'Own', tenantId } })).response.application!;
      const copy = (await scoped.createApplication('', { application: { name: 'Own copy' }, sourceApplicationId: own.id! })).response.application!;
      assert.equal(copy.tenantId, tenantId);
    });
  });
}
