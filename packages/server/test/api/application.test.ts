import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Application, FusionAuthClient } from '@fusionauth/typescript-client';
import { unsealClientSecret } from '../../src/tenancy/client-secret.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

for (const backend of backends) {
  describe(`/api/application on ${backend} through @fusionauth/typescript-client`, () => {
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

    const create = async (application: Record<string, unknown>, id = '') => (await client.createApplication(id, { application: application as Application })).response.application!;
    const rowCounts = async () => {
      const applications = await gatehouse.store.db.selectFrom('applications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const roles = await gatehouse.store.db.selectFrom('application_roles').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return { applications: applications.n, roles: roles.n };
    };

    it('creates an application with roles and FusionAuth defaults, and retrieves it', async () => {
      const created = await client.createApplication('', {
        application: {
          name: `Portal ${randomUUID()}`,
          roles: [{ name: 'user', isDefault: true }, { name: 'admin', description: 'Administrators', isSuperRole: true }],
          oauthConfiguration: { authorizedRedirectURLs: ['https://portal.example.com/callback', 'com.example.portal:/callback'] },
          unknownThing: true,
        } as Application,
      });
      assert.equal(created.statusCode, 200);
      const application = created.response.application!;
      assert.equal(application.tenantId, gatehouse.setup.defaultTenantId, 'the only tenant is implied');
      assert.equal(application.active, true);
      assert.equal(application.state, 'Active');
      assert.equal((application as Record<string, unknown>)['unknownThing'], undefined, 'unknown fields are ignored');
      const oauth = application.oauthConfiguration!;
      assert.equal(oauth.clientId, application.id);
      assert.match(oauth.clientSecret ?? '', /^[A-Za-z0-9_-]{43}$/, '256-bit base64url secret');
      assert.equal(oauth.clientAuthenticationPolicy, 'Required');
      assert.equal(oauth.requireClientAuthentication, true);
      assert.equal(oauth.proofKeyForCodeExchangePolicy, 'NotRequired');
      assert.deepEqual(oauth.enabledGrants, ['authorization_code', 'refresh_token']);
      assert.equal(oauth.generateRefreshTokens, true);
      assert.equal(oauth.authorizedURLValidationPolicy, 'ExactMatch');
      assert.equal(oauth.logoutBehavior, 'AllApplications');
      assert.equal(oauth.relationship, 'FirstParty');
      assert.equal(oauth.consentMode, 'AlwaysPrompt');
      assert.equal(oauth.scopeHandlingPolicy, 'Strict');
      assert.equal(oauth.unknownScopePolicy, 'Reject');
      assert.deepEqual(oauth.providedScopePolicy?.email, { enabled: true, required: false });
      assert.deepEqual(oauth.authorizedOriginURLs, []);
      assert.equal(application.jwtConfiguration?.enabled, false);
      assert.equal(application.jwtConfiguration?.timeToLiveInSeconds, 3600);
      assert.deepEqual(application.loginConfiguration, { allowTokenRefresh: false, generateRefreshTokens: false, requireAuthentication: true });
      assert.equal(application.registrationConfiguration?.enabled, false);
      assert.equal(application.verifyRegistration, false);
      assert.deepEqual(application.roles?.map((role) => [role.name, role.isDefault, role.isSuperRole, role.description]), [
        ['admin', false, true, 'Administrators'],
        ['user', true, false, undefined],
      ]);
      assert.equal(typeof application.roles?.[0]?.id, 'string');
      assert.equal(typeof application.insertInstant, 'number');
      assert.ok(Math.abs(application.insertInstant! - Date.now()) < 60_000, 'epoch millis');

      assert.deepEqual((await client.retrieveApplication(application.id!)).response.application, application);
      const listed = (await client.retrieveApplications()).response.applications ?? [];
      assert.deepEqual(listed.find((found) => found.id === application.id), application);

      const { response: configuration } = await client.retrieveOauthConfiguration(application.id!);
      assert.deepEqual(configuration.oauthConfiguration, oauth);
      assert.equal(configuration.httpSessionMaxInactiveInterval, 3600);
    });

    it('keeps a chosen id and secret; PUT replaces but keeps a blank secret; PATCH merges', async () => {
      const id = randomUUID();
      const name = `Chosen ${id}`;
      const created = await create({ name, roles: [{ name: 'reader' }], oauthConfiguration: { clientSecret: 'chosen-secret-value', authorizedRedirectURLs: ['https://a.example.com/cb'], logoutURL: 'https://a.example.com/bye' } }, id.toUpperCase());
      assert.equal(created.id, id, 'ids are stored and returned in lower case');
      assert.equal(created.oauthConfiguration?.clientSecret, 'chosen-secret-value');

      const replaced = (await client.updateApplication(id, { application: { name: `${name} v2`, oauthConfiguration: { enabledGrants: ['authorization_code'] } } as Application })).response.application!;
      assert.equal(replaced.name, `${name} v2`);
      assert.equal(replaced.oauthConfiguration?.clientSecret, 'chosen-secret-value', 'a blank secret is kept on PUT');
      assert.deepEqual(replaced.oauthConfiguration?.authorizedRedirectURLs, [], 'PUT replaces everything else');
      assert.equal(replaced.oauthConfiguration?.logoutURL, undefined);
      assert.deepEqual(replaced.roles?.map((role) => role.name), ['reader'], 'roles change only through the role API');
      assert.equal(replaced.insertInstant, created.insertInstant);

      const patched = (await client.patchApplication(id, { application: { oauthConfiguration: { proofKeyForCodeExchangePolicy: 'Required', requireClientAuthentication: false }, data: { tier: 'gold' } } as Application })).response.application!;
      assert.equal(patched.oauthConfiguration?.proofKeyForCodeExchangePolicy, 'Required');
      assert.equal(patched.oauthConfiguration?.clientAuthenticationPolicy, 'NotRequired', 'the deprecated boolean still means what it said');
      assert.deepEqual(patched.oauthConfiguration?.enabledGrants, ['authorization_code'], 'PATCH keeps what it does not name');
      assert.equal(patched.name, `${name} v2`);
      assert.deepEqual(patched.data, { tier: 'gold' });

      const mergePatch = await gatehouse.app.inject({
        method: 'PATCH',
        url: `/api/application/${id}`,
        headers: { authorization: gatehouse.apiKey, 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({ application: { oauthConfiguration: { clientSecret: 'rotated-secret' }, data: { tier: null } } }),
      });
      assert.equal(mergePatch.statusCode, 200, mergePatch.body);
      assert.equal(mergePatch.json().application.oauthConfiguration.clientSecret, 'rotated-secret');
      assert.deepEqual(mergePatch.json().application.data, {}, 'null removes a member (RFC 7396)');
      assert.equal((await client.retrieveApplication(id)).response.application?.oauthConfiguration?.clientSecret, 'rotated-secret');
    });

    it('deactivates, lists inactive ones apart, reactivates, and hard deletes with its roles', async () => {
      const application = await create({ name: `Lifecycle ${randomUUID()}`, roles: [{ name: 'a' }, { name: 'b' }] });
      const id = application.id!;
      const activeIds = async () => ((await client.retrieveApplications()).response.applications ?? []).map((found) => found.id);
      const inactiveIds = async () => ((await client.retrieveInactiveApplications()).response.applications ?? []).map((found) => found.id);

      assert.equal((await client.deactivateApplication(id)).statusCode, 200);
      assert.ok(!(await activeIds()).includes(id));
      assert.ok((await inactiveIds()).includes(id));
      const inactive = (await client.retrieveApplication(id)).response.application!;
      assert.equal(inactive.active, false, 'retrieve by id returns it whatever its state');
      assert.equal(inactive.state, 'Inactive');

      const reactivated = (await client.reactivateApplication(id)).response.application!;
      assert.equal(reactivated.active, true);
      assert.ok((await activeIds()).includes(id));
      assert.ok(!(await inactiveIds()).includes(id));

      const before = await rowCounts();
      assert.equal((await client.deleteApplication(id)).statusCode, 200);
      await expectStatus(client.retrieveApplication(id), 404);
      assert.deepEqual(await rowCounts(), { applications: before.applications - 1, roles: before.roles - 2 });
      await expectStatus(client.deleteApplication(id), 404);
      await expectStatus(client.deactivateApplication(id), 404);
      await expectStatus(client.reactivateApplication(id), 404);
      await expectStatus(client.updateApplication(id, { application: { name: 'gone' } }), 404);
      await expectStatus(client.retrieveOauthConfiguration(id), 404);
    });

    it('answers bad input with exact field errors and stores nothing', async () => {
      const before = await rowCounts();
      const oauth = (oauthConfiguration: Record<string, unknown>) => ({ name: `Bad ${randomUUID()}`, oauthConfiguration });
      const cases: Array<[unknown, string]> = [
        [{}, '[blank]application.name'],
        [{ name: '' }, '[blank]application.name'],
        [{ name: '   ' }, '[blank]application.name'],
        [{ name: 'x'.repeat(192) }, '[tooLong]application.name'],
        [{ name: 7 }, '[invalid]application.name'],
        [{ name: 'tenant', tenantId: 'not-a-uuid' }, '[invalid]application.tenantId'],
        [{ name: 'tenant', tenantId: randomUUID() }, '[invalid]application.tenantId'],
        [oauth({ authorizedRedirectURLs: ['not a url'] }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [oauth({ authorizedRedirectURLs: ['https://example.com/cb#fragment'] }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [oauth({ authorizedRedirectURLs: ['/relative/callback'] }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [oauth({ authorizedRedirectURLs: ['javascript:/alert(1)'] }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [oauth({ authorizedRedirectURLs: [7] }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [oauth({ authorizedRedirectURLs: ['https://example.com:*/cb'] }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [oauth({ authorizedURLValidationPolicy: 'AllowWildcards', authorizedRedirectURLs: ['https://*.com/cb'] }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [oauth({ authorizedURLValidationPolicy: 'AllowWildcards', authorizedRedirectURLs: ['https://*mid*.example.com/cb'] }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [oauth({ authorizedOriginURLs: ['https://example.com/path'] }), '[invalid]application.oauthConfiguration.authorizedOriginURLs'],
        [oauth({ authorizedResourceUris: ['https://api.example.com#x'] }), '[invalid]application.oauthConfiguration.authorizedResourceUris'],
        [oauth({ authorizedURLValidationPolicy: 'Loose' }), '[invalid]application.oauthConfiguration.authorizedURLValidationPolicy'],
        [oauth({ clientAuthenticationPolicy: 'Sometimes' }), '[invalid]application.oauthConfiguration.clientAuthenticationPolicy'],
        [oauth({ proofKeyForCodeExchangePolicy: 'Maybe' }), '[invalid]application.oauthConfiguration.proofKeyForCodeExchangePolicy'],
        [oauth({ enabledGrants: ['client_credentials'] }), '[invalid]application.oauthConfiguration.enabledGrants'],
        [oauth({ enabledGrants: 'password' }), '[invalid]application.oauthConfiguration.enabledGrants'],
        [oauth({ enabledGrants: ['urn:ietf:params:oauth:grant-type:device_code'] }), '[blank]application.oauthConfiguration.deviceVerificationURL'],
        [oauth({ enabledGrants: ['urn:ietf:params:oauth:grant-type:device_code'], deviceVerificationURL: 'com.app:/device' }), '[invalid]application.oauthConfiguration.deviceVerificationURL'],
        [oauth({ logoutURL: 'nowhere' }), '[invalid]application.oauthConfiguration.logoutURL'],
        [oauth({ logoutBehavior: 'Everything' }), '[invalid]application.oauthConfiguration.logoutBehavior'],
        [oauth({ clientSecret: 42 }), '[invalid]application.oauthConfiguration.clientSecret'],
        [{ name: 'jwt', jwtConfiguration: { timeToLiveInSeconds: 0 } }, '[tooSmall]application.jwtConfiguration.timeToLiveInSeconds'],
        [{ name: 'jwt', jwtConfiguration: { refreshTokenExpirationPolicy: 'SlidingWindowWithMaximumLifetime', refreshTokenTimeToLiveInMinutes: 100, refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: 50 } } },
          '[invalid]application.jwtConfiguration.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes'],
        [{ name: 'login', loginConfiguration: { requireAuthentication: 'yes' } }, '[invalid]application.loginConfiguration.requireAuthentication'],
        [{ name: 'roles', roles: [{}] }, '[blank]application.roles.name'],
        [{ name: 'roles', roles: [{ name: ' ' }] }, '[blank]application.roles.name'],
        [{ name: 'roles', roles: [{ name: 'Admin' }, { name: 'admin' }] }, '[duplicate]application.roles.name'],
        [{ name: 'roles', roles: 'admin' }, '[invalid]application.roles'],
      ];
      for (const [application, code] of cases) {
        const body = await expectStatus(client.createApplication('', { application: application as Application }), 400);
        assert.deepEqual(errorCodes(body), [code], JSON.stringify(application));
      }
      for (const payload of ['{"application": []}', '{"application": "x"}', '{"application": null}', '[]', '{}', '{"application": {"name": "x"', 'null']) {
        const response = await gatehouse.app.inject({ method: 'POST', url: '/api/application', headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json' }, payload });
        assert.equal(response.statusCode, 400, payload);
      }
      assert.deepEqual(await rowCounts(), before);
    });

    it('accepts native-app redirects and FusionAuth wildcards when allowed', async () => {
      const application = await create({
        name: `Wildcards ${randomUUID()}`,
        oauthConfiguration: {
          authorizedURLValidationPolicy: 'AllowWildcards',
          authorizedRedirectURLs: ['https://*.example.com/callback', 'https://app.example.com:*/p*/cb?state=*', 'com.example.app://callback', ''],
          authorizedOriginURLs: ['https://*.example.com', 'http://localhost:3000'],
          enabledGrants: ['urn:ietf:params:oauth:grant-type:device_code', 'password', 'implicit'],
          deviceVerificationURL: 'https://example.com/device',
        },
      });
      assert.deepEqual(application.oauthConfiguration?.authorizedRedirectURLs, ['https://*.example.com/callback', 'https://app.example.com:*/p*/cb?state=*', 'com.example.app://callback'], 'blank entries are dropped');
      assert.equal(application.oauthConfiguration?.deviceVerificationURL, 'https://example.com/device');
    });

    it('refuses a bad update and leaves the application as it was', async () => {
      const application = await create({ name: `Steady ${randomUUID()}`, oauthConfiguration: { authorizedRedirectURLs: ['https://steady.example.com/cb'] } });
      const id = application.id!;
      const other = await create({ name: `Other ${randomUUID()}` });
      const cases: Array<[() => Promise<unknown>, string]> = [
        [() => client.updateApplication(id, { application: { name: '' } }), '[blank]application.name'],
        [() => client.patchApplication(id, { application: { oauthConfiguration: { authorizedRedirectURLs: ['nope'] } } }), '[invalid]application.oauthConfiguration.authorizedRedirectURLs'],
        [() => client.patchApplication(id, { application: { name: other.name!.toUpperCase() } }), '[duplicate]application.name'],
        [() => client.patchApplication(id, { application: { tenantId: randomUUID() } }), '[invalid]application.tenantId'],
      ];
      for (const [call, code] of cases) assert.deepEqual(errorCodes(await expectStatus(call(), 400)), [code]);
      const missingBody = await gatehouse.app.inject({ method: 'PUT', url: `/api/application/${id}`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(missingBody.statusCode, 400);
      assert.deepEqual(missingBody.json().fieldErrors['application'][0].code, '[blank]application');
      const badQuery = await gatehouse.app.inject({ method: 'DELETE', url: `/api/application/${id}?hardDelete=maybe`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(badQuery.statusCode, 400);
      assert.deepEqual((await client.retrieveApplication(id)).response.application, application);
      await expectStatus(client.retrieveApplication('not-a-uuid'), 400);
      await expectStatus(client.retrieveApplication(randomUUID()), 404);
    });

    it('refuses a duplicate name in the same tenant in any case, and a taken id', async () => {
      const name = `Unique ${randomUUID()}`;
      const first = await create({ name });
      assert.deepEqual(errorCodes(await expectStatus(client.createApplication('', { application: { name: name.toUpperCase() } }), 400)), ['[duplicate]application.name']);
      assert.deepEqual(errorCodes(await expectStatus(client.createApplication(first.id!, { application: { name: `${name} 2` } }), 400)), ['[duplicate]application.id']);
    });

    it('takes thousands of roles in one create', async () => {
      const roles = Array.from({ length: 9000 }, (_, index) => ({ name: `role-${String(index).padStart(4, '0')}` }));
      const application = await create({ name: `Many roles ${randomUUID()}`, roles });
      assert.equal(application.roles?.length, 9000);
      assert.equal((await client.retrieveApplication(application.id!)).response.application?.roles?.[8999]?.name, 'role-8999');
    });

    it('seals the client secret at rest, bound to its row', async () => {
      const application = await create({ name: `Sealed ${randomUUID()}` });
      const secret = application.oauthConfiguration!.clientSecret!;
      const row = await gatehouse.store.db.selectFrom('applications').selectAll().where('id', '=', application.id!).executeTakeFirstOrThrow();
      assert.ok(Buffer.isBuffer(row.client_secret_sealed));
      assert.equal(row.client_secret_sealed.includes(Buffer.from(secret)), false);
      assert.equal(row.client_secret_sealed.includes(Buffer.from(secret, 'base64url')), false);
      assert.equal(JSON.stringify(row.data).includes(secret), false);
      assert.equal(unsealClientSecret(gatehouse.keyRing, { id: application.id!, clientSecretSealed: row.client_secret_sealed }), secret);
      assert.throws(() => unsealClientSecret(gatehouse.keyRing, { id: randomUUID(), clientSecretSealed: row.client_secret_sealed }));
      assert.equal(gatehouse.logs.text().includes(secret), false, 'the secret never reaches a log line');
    });

    // Last: it adds a second tenant, after which unscoped creates must name their tenant.
    it('keeps tenant-scoped callers inside their tenant', async () => {
      const inDefault = await create({ name: `Default app ${randomUUID()}` });
      const other = (await client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!;
      const required = await expectStatus(client.createApplication('', { application: { name: 'which tenant?' } }), 400);
      assert.deepEqual(errorCodes(required), ['[TenantIdRequired]']);

      const headerScoped = clientFor(gatehouse.apiKey, other.id!);
      const inOther = (await headerScoped.createApplication('', { application: { name: `Other app ${randomUUID()}`, roles: [{ name: 'r' }] } })).response.application!;
      assert.equal(inOther.tenantId, other.id);
      const sameName = (await client.createApplication('', { application: { name: inDefault.name!, tenantId: other.id! } })).response.application!;
      assert.equal(sameName.tenantId, other.id, 'names are unique per tenant only');

      const scopedKey = (await client.createAPIKey('', { apiKey: { tenantId: other.id! } })).response.apiKey!.key!;
      const scoped = clientFor(scopedKey);
      const visible = ((await scoped.retrieveApplications()).response.applications ?? []).map((found) => found.id);
      assert.deepEqual(visible.sort(), [inOther.id, sameName.id].sort());
      const target = inDefault.id!;
      for (const call of [
        () => scoped.retrieveApplication(target),
        () => scoped.updateApplication(target, { application: { name: 'taken over' } }),
        () => scoped.patchApplication(target, { application: { name: 'taken over' } }),
        () => scoped.deactivateApplication(target),
        () => scoped.deleteApplication(target),
        () => scoped.reactivateApplication(target),
        () => scoped.retrieveOauthConfiguration(target),
        () => scoped.createApplicationRole(target, '', { role: { name: 'intruder' } }),
        () => headerScoped.retrieveApplication(target),
      ]) {
        await expectStatus(call(), 404);
      }
      const wrongTenant = await expectStatus(scoped.createApplication('', { application: { name: 'elsewhere', tenantId: gatehouse.setup.defaultTenantId } }), 400);
      assert.deepEqual(errorCodes(wrongTenant), ['[invalid]application.tenantId']);
      const implied = (await scoped.createApplication('', { application: { name: `Scoped ${randomUUID()}` } })).response.application!;
      assert.equal(implied.tenantId, other.id);
      await expectStatus(clientFor(scopedKey, gatehouse.setup.defaultTenantId).retrieveApplications(), 401);
      assert.equal((await client.retrieveApplication(inDefault.id!)).response.application?.name, inDefault.name, 'untouched');

      assert.equal((await client.deleteTenant(other.id!)).statusCode, 200);
      await expectStatus(client.retrieveApplication(inOther.id!), 404);
    });
  });
}
