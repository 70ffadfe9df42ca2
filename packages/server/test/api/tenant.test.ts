import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, Tenant } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

for (const backend of backends) {
  describe(`/api/tenant on ${backend} through @fusionauth/typescript-client`, () => {
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

    it('lists the default tenant with FusionAuth defaults', async () => {
      const { response } = await client.retrieveTenants();
      assert.equal(response.tenants?.length, 1);
      const [tenant] = response.tenants ?? [];
      assert.equal(tenant?.id, gatehouse.setup.defaultTenantId);
      assert.equal(tenant?.name, 'Default');
      assert.equal(tenant?.jwtConfiguration?.timeToLiveInSeconds, 3600);
      assert.equal(tenant?.jwtConfiguration?.refreshTokenTimeToLiveInMinutes, 43_200);
      assert.equal(tenant?.externalIdentifierConfiguration?.authorizationGrantIdTimeToLiveInSeconds, 30);
      assert.equal(tenant?.failedAuthenticationConfiguration?.tooManyAttempts, 5);
      assert.equal(tenant?.passwordValidationRules?.minLength, 8);
      assert.equal(typeof tenant?.insertInstant, 'number');
    });

    it('creates with a chosen id, retrieves, replaces, patches and deletes', async () => {
      const id = randomUUID();
      const created = await client.createTenant(id, {
        tenant: { name: `Acme ${id}`, issuer: 'https://acme.example.com', jwtConfiguration: { timeToLiveInSeconds: 600 }, unknownThing: true } as Tenant,
      });
      assert.equal(created.statusCode, 200);
      assert.equal(created.response.tenant?.id, id);
      assert.equal(created.response.tenant?.jwtConfiguration?.timeToLiveInSeconds, 600);
      assert.equal(created.response.tenant?.jwtConfiguration?.refreshTokenUsagePolicy, 'Reusable');
      assert.equal((created.response.tenant as Record<string, unknown>)['unknownThing'], undefined, 'unknown fields are ignored');

      assert.deepEqual((await client.retrieveTenant(id)).response.tenant, created.response.tenant);

      const patched = await client.patchTenant(id, { tenant: { jwtConfiguration: { refreshTokenUsagePolicy: 'OneTimeUse' } } as Tenant });
      assert.equal(patched.response.tenant?.jwtConfiguration?.refreshTokenUsagePolicy, 'OneTimeUse');
      assert.equal(patched.response.tenant?.jwtConfiguration?.timeToLiveInSeconds, 600, 'PATCH keeps what it does not name');
      assert.equal(patched.response.tenant?.issuer, 'https://acme.example.com');

      const replaced = await client.updateTenant(id, { tenant: { name: `Acme ${id} renamed` } });
      assert.equal(replaced.response.tenant?.name, `Acme ${id} renamed`);
      assert.equal(replaced.response.tenant?.issuer, undefined, 'PUT replaces everything');
      assert.equal(replaced.response.tenant?.jwtConfiguration?.timeToLiveInSeconds, 3600);

      assert.equal((await client.deleteTenant(id)).statusCode, 200);
      await expectStatus(client.retrieveTenant(id), 404);
      await expectStatus(client.deleteTenant(id), 404);
    });

    it('answers bad input with field errors and stores nothing', async () => {
      const before = (await client.retrieveTenants()).response.tenants?.length;
      const cases: Array<[unknown, string]> = [
        [{}, '[blank]tenant.name'],
        [{ name: '' }, '[tooShort]tenant.name'],
        [{ name: 'x'.repeat(192) }, '[tooLong]tenant.name'],
        [{ name: 'ttl', jwtConfiguration: { timeToLiveInSeconds: 0 } }, '[tooSmall]tenant.jwtConfiguration.timeToLiveInSeconds'],
        [{ name: 'policy', jwtConfiguration: { refreshTokenUsagePolicy: 'Sometimes' } }, '[invalid]tenant.jwtConfiguration.refreshTokenUsagePolicy'],
        [{ name: 'grant', externalIdentifierConfiguration: { authorizationGrantIdTimeToLiveInSeconds: 601 } }, '[tooLarge]tenant.externalIdentifierConfiguration.authorizationGrantIdTimeToLiveInSeconds'],
        [{ name: 7 }, '[invalid]tenant.name'],
      ];
      for (const [tenant, code] of cases) {
        const body = await expectStatus(client.createTenant('', { tenant: tenant as Tenant }), 400);
        assert.ok(errorCodes(body).includes(code), `${JSON.stringify(tenant)} → ${JSON.stringify(errorCodes(body))}`);
      }
      const patchBody = await expectStatus(client.patchTenant(gatehouse.setup.defaultTenantId, { tenant: { jwtConfiguration: { timeToLiveInSeconds: -1 } } as Tenant }), 400);
      assert.ok(errorCodes(patchBody).includes('[tooSmall]tenant.jwtConfiguration.timeToLiveInSeconds'));
      assert.equal((await client.retrieveTenants()).response.tenants?.length, before);
      assert.equal((await client.retrieveTenant(gatehouse.setup.defaultTenantId)).response.tenant?.jwtConfiguration?.timeToLiveInSeconds, 3600);
    });

    it('refuses duplicate names in any case, and deleting the default tenant', async () => {
      const name = `Unique ${randomUUID()}`;
      await client.createTenant('', { tenant: { name } });
      const body = await expectStatus(client.createTenant('', { tenant: { name: name.toUpperCase() } }), 400);
      assert.deepEqual(errorCodes(body), ['[duplicate]tenant.name']);
      const deleteDefault = await expectStatus(client.deleteTenant(gatehouse.setup.defaultTenantId), 400);
      assert.deepEqual(errorCodes(deleteDefault), ['[DefaultTenantDelete]']);
    });

    it('keeps a tenant-scoped key inside its tenant', async () => {
      const other = (await client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!;
      const scopedKey = (await client.createAPIKey('', { apiKey: { tenantId: other.id! } })).response.apiKey!.key!;
      const scoped = clientFor(scopedKey);
      assert.deepEqual((await scoped.retrieveTenants()).response.tenants?.map((tenant) => tenant.id), [other.id]);
      await expectStatus(scoped.retrieveTenant(gatehouse.setup.defaultTenantId), 404);
      await expectStatus(scoped.createTenant('', { tenant: { name: 'nope' } }), 401);
      await expectStatus(scoped.deleteTenant(other.id!), 401);
      await expectStatus(clientFor(scopedKey, gatehouse.setup.defaultTenantId).retrieveTenants(), 401);
      const headerScoped = clientFor(gatehouse.apiKey, other.id!);
      assert.deepEqual((await headerScoped.retrieveTenants()).response.tenants?.map((tenant) => tenant.id), [other.id]);
    });
  });
}
