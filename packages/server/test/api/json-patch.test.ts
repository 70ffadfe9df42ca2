import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient } from '@fusionauth/typescript-client';
import type { ApiErrorBody } from '../../src/errors/api-error.ts';
import { errorCodes, serveWithClient } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/*
 * PATCH with `application/json-patch+json` (RFC 6902) on every PATCH route. FusionAuth's client only sends
 * merge patches, so these requests go out as raw fetch calls with the API key; results are read back
 * through the client.
 */
for (const backend of backends) {
  describe(`JSON Patch (RFC 6902) on the PATCH routes on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, baseUrl } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    async function patch(url: string, body: unknown, contentType = 'application/json-patch+json') {
      const response = await fetch(`${baseUrl}${url}`, {
        method: 'PATCH',
        headers: { authorization: gatehouse.apiKey, ...(contentType === '' ? {} : { 'content-type': contentType }) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as Record<string, any> & ApiErrorBody };
    }

    /** Asserts a 400 with exactly these codes. */
    async function refused(url: string, body: unknown, codes: string[], status = 400) {
      const response = await patch(url, body);
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.deepEqual(errorCodes(response.body), codes, JSON.stringify(body));
    }

    const newApplication = async (roles = [{ name: 'viewer' }, { name: 'editor' }]) =>
      (await client.createApplication('', { application: { name: `Patch ${randomUUID()}`, tenantId: gatehouse.setup.defaultTenantId, roles, data: { plan: 'free' } } })).response.application!;

    it('tenant: operations on {"tenant": ...}; a failed test stores nothing', async () => {
      const tenant = (await client.createTenant('', { tenant: { name: `Tenant ${randomUUID()}`, issuer: 'https://one.example.com' } })).response.tenant!;
      const url = `/api/tenant/${tenant.id}`;
      const ok = await patch(url, [
        { op: 'test', path: '/tenant/issuer', value: 'https://one.example.com' },
        { op: 'replace', path: '/tenant/issuer', value: 'https://two.example.com' },
        { op: 'replace', path: '/tenant/jwtConfiguration/timeToLiveInSeconds', value: 900 },
        { op: 'add', path: '/tenant/data', value: { region: 'eu' } },
      ]);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const stored = (await client.retrieveTenant(tenant.id!)).response.tenant!;
      assert.deepEqual(ok.body['tenant'], stored);
      assert.equal(stored.issuer, 'https://two.example.com');
      assert.equal(stored.jwtConfiguration!.timeToLiveInSeconds, 900);
      assert.equal(stored.name, tenant.name, 'what the patch does not touch stays');

      await refused(url, [{ op: 'replace', path: '/tenant/issuer', value: 'https://three.example.com' }, { op: 'test', path: '/tenant/name', value: 'someone else' }], ['[testFailed]patch[1]']);
      await refused(url, [{ op: 'replace', path: '/tenant/jwtConfiguration/timeToLiveInSeconds', value: 'long' }], ['[invalid]tenant.jwtConfiguration.timeToLiveInSeconds']);
      await refused(url, [{ op: 'remove', path: '/tenant/name' }], ['[blank]tenant.name']);
      await refused(url, [{ op: 'remove', path: '/tenant' }], ['[blank]tenant']);
      assert.deepEqual((await client.retrieveTenant(tenant.id!)).response.tenant, stored, 'nothing stored on any failure');
    });

    it('application: settings change, roles stay; validation errors are those of a PUT', async () => {
      const application = await newApplication();
      const url = `/api/application/${application.id}`;
      const ok = await patch(url, [
        { op: 'replace', path: '/application/name', value: 'Renamed by JSON Patch' },
        { op: 'add', path: '/application/oauthConfiguration/authorizedRedirectURLs/-', value: 'https://app.example.com/cb' },
        { op: 'copy', from: '/application/data/plan', path: '/application/data/previousPlan' },
        { op: 'replace', path: '/application/data/plan', value: 'gold' },
      ]);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const stored = (await client.retrieveApplication(application.id!)).response.application!;
      assert.deepEqual(ok.body['application'], stored);
      assert.equal(stored.name, 'Renamed by JSON Patch');
      assert.deepEqual(stored.oauthConfiguration!.authorizedRedirectURLs, ['https://app.example.com/cb']);
      assert.deepEqual(stored.data, { plan: 'gold', previousPlan: 'free' });
      assert.deepEqual(stored.roles, application.roles, 'roles change only through the role API');
      assert.equal(stored.oauthConfiguration!.clientSecret, application.oauthConfiguration!.clientSecret);

      await refused(url, [{ op: 'remove', path: '/application/name' }], ['[blank]application.name']);
      await refused(url, [{ op: 'replace', path: '/application/oauthConfiguration/authorizedRedirectURLs/0', value: 'javascript:alert(1)' }], ['[invalid]application.oauthConfiguration.authorizedRedirectURLs']);
      await refused(url, [{ op: 'replace', path: '/application/oauthConfiguration/authorizedRedirectURLs/1', value: 'https://x.example.com' }], ['[notFound]patch[0].path']);
      await refused(url, [{ op: 'replace', path: '/application/roles/0/name', value: 'x' }], ['[notFound]patch[0].path']);
      assert.deepEqual((await client.retrieveApplication(application.id!)).response.application, stored);
    });

    it('user: profile fields, data and password; missing paths and reserved names are refused', async () => {
      const email = `patch-${randomUUID()}@example.com`;
      const user = (await client.createUser('', { user: { email, password: 'password123', firstName: 'Ada', tenantId: gatehouse.setup.defaultTenantId, data: { tags: ['a', 'b'] } } })).response.user!;
      const url = `/api/user/${user.id}`;
      const ok = await patch(url, [
        { op: 'replace', path: '/user/firstName', value: 'Grace' },
        { op: 'move', from: '/user/data/tags/0', path: '/user/data/tags/-' },
        { op: 'add', path: '/user/lastName', value: 'Hopper' },
        { op: 'add', path: '/user/password', value: 'a new password 42' },
      ]);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal((await client.login({ loginId: email, password: 'a new password 42' })).statusCode, 200, 'the new password works');
      const stored = (await client.retrieveUser(user.id!)).response.user!;
      assert.equal(stored.firstName, 'Grace');
      assert.equal(stored.lastName, 'Hopper');
      assert.deepEqual(stored.data, { tags: ['b', 'a'] });
      assert.equal(stored.email, email);

      const cases: Array<[unknown, string[]]> = [
        [[{ op: 'replace', path: '/user/middleName', value: 'X' }], ['[notFound]patch[0].path']],
        [[{ op: 'remove', path: '/user/data/tags/5' }], ['[notFound]patch[0].path']],
        [[{ op: 'add', path: `/user/data/tags/${'9'.repeat(30)}`, value: 1 }], ['[notFound]patch[0].path']],
        [[{ op: 'add', path: '/user/data/tags/01', value: 1 }], ['[invalid]patch[0].path']],
        [[{ op: 'add', path: '/user/__proto__', value: { email: 'x@example.com' } }], ['[invalid]patch[0].path']],
        [[{ op: 'add', path: '/user/data/constructor', value: { prototype: { admin: true } } }], ['[invalid]patch[0].path']],
        [[{ op: 'copy', from: '/user/constructor/prototype', path: '/user/data/x' }], ['[invalid]patch[0].from']],
        [[{ op: 'add', path: 'user/firstName', value: 'x' }], ['[invalid]patch[0].path']],
        [[{ op: 'replace', path: '/user/firstName', value: 'ok' }, { op: 'frobnicate', path: '/user' }], ['[invalid]patch[1].op']],
        [[{ path: '/user/firstName', value: 'x' }], ['[blank]patch[0].op']],
        [[{ op: 'add', value: 'x' }], ['[blank]patch[0].path']],
        [[{ op: 'add', path: '/user/nickname' }], ['[blank]patch[0].value']],
        [[{ op: 'move', path: '/user/nickname' }], ['[blank]patch[0].from']],
        [[{ op: 'move', from: '/user/data', path: '/user/data/inner' }], ['[invalid]patch[0].from']],
        [['replace'], ['[invalid]patch[0]']],
        [[{ op: 'replace', path: '/user/email', value: 'not an email' }], ['[notEmail]user.email']],
        [[{ op: 'replace', path: '/user/password', value: 'x' }], ['[notFound]patch[0].path']],
        [{ op: 'replace', path: '/user/firstName', value: 'x' }, ['[invalid]request']],
        [Array.from({ length: 1001 }, () => ({ op: 'test', path: '/user/firstName', value: 'Grace' })), ['[tooLong]patch']],
      ];
      for (const [body, codes] of cases) await refused(url, body, codes);
      const doubling = Array.from({ length: 30 }, () => ({ op: 'copy', from: '/user/data/tags', path: '/user/data/tags/-' }));
      const grown = await patch(url, doubling);
      assert.equal(grown.status, 400);
      assert.match(errorCodes(grown.body)[0] ?? '', /^\[tooLarge\]patch\[\d+\]$/);
      assert.equal(({} as Record<string, unknown>)['admin'], undefined, 'no prototype was touched');
      assert.deepEqual((await client.retrieveUser(user.id!)).response.user, stored, 'nothing stored on any failure');
    });

    it('registration: the application id comes from the URL; the application never changes', async () => {
      const application = await newApplication();
      const other = await newApplication();
      const user = (await client.createUser('', { user: { email: `reg-${randomUUID()}@example.com`, password: 'password123', tenantId: gatehouse.setup.defaultTenantId } })).response.user!;
      await client.register(user.id!, { registration: { applicationId: application.id!, roles: ['viewer'], data: { a: 1 } } });
      await client.register(user.id!, { registration: { applicationId: other.id!, roles: ['viewer'] } });

      const url = `/api/user/registration/${user.id}/${application.id}`;
      const ok = await patch(url, [
        { op: 'add', path: '/registration/roles/-', value: 'editor' },
        { op: 'replace', path: '/registration/applicationId', value: other.id },
        { op: 'remove', path: '/registration/data/a' },
      ]);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body['registration'].applicationId, application.id);
      const stored = (await client.retrieveRegistration(user.id!, application.id!)).response.registration!;
      assert.deepEqual(stored.roles, ['editor', 'viewer']);
      assert.deepEqual(stored.data, {});
      assert.deepEqual((await client.retrieveRegistration(user.id!, other.id!)).response.registration!.roles, ['viewer'], 'the other registration is untouched');

      await refused(url, [{ op: 'add', path: '/registration/roles/-', value: 'ghost' }], ['[invalid]registration.roles']);
      await refused(`/api/user/registration/${user.id}`, [{ op: 'add', path: '/registration/roles/-', value: 'editor' }], ['[blank]registration.applicationId']);
      assert.deepEqual((await client.retrieveRegistration(user.id!, application.id!)).response.registration, stored);
      assert.equal((await patch(`/api/user/registration/${user.id}/${randomUUID()}`, [])).status, 404);

      // The URL form works for PUT and merge PATCH too (FusionAuth 1.25+), and wins over the body.
      const put = await fetch(`${baseUrl}${url}`, { method: 'PUT', headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ registration: { roles: ['viewer'] } }) });
      assert.equal(put.status, 200);
      const merged = await patch(url, { registration: { applicationId: other.id, data: { b: 2 } } }, 'application/merge-patch+json');
      assert.equal(merged.status, 200);
      assert.equal(merged.body['registration'].applicationId, application.id);
      assert.deepEqual(merged.body['registration'].roles, ['viewer']);
      assert.deepEqual(merged.body['registration'].data, { b: 2 });
    });

    it('application role and scope: operations on {"role": ...} and {"scope": ...}', async () => {
      const application = await newApplication();
      const role = application.roles!.find((candidate) => candidate.name === 'viewer')!;
      const roleUrl = `/api/application/${application.id}/role/${role.id}`;
      const ok = await patch(roleUrl, [{ op: 'add', path: '/role/description', value: 'Reads' }, { op: 'replace', path: '/role/isDefault', value: true }]);
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body['role'].description, 'Reads');
      assert.equal(ok.body['role'].isDefault, true);
      await refused(roleUrl, [{ op: 'replace', path: '/role/name', value: 'Editor' }], ['[duplicate]role.name']);
      assert.deepEqual((await client.retrieveApplication(application.id!)).response.application!.roles!.find((candidate) => candidate.id === role.id), ok.body['role']);

      const scope = (await client.createOAuthScope(application.id!, '', { scope: { name: 'reports', description: 'Reports' } })).response.scope!;
      const scopeUrl = `/api/application/${application.id}/scope/${scope.id}`;
      const patchedScope = await patch(scopeUrl, [{ op: 'replace', path: '/scope/required', value: true }, { op: 'remove', path: '/scope/description' }]);
      assert.equal(patchedScope.status, 200, JSON.stringify(patchedScope.body));
      assert.equal(patchedScope.body['scope'].required, true);
      assert.equal(patchedScope.body['scope'].description, undefined);
      await refused(scopeUrl, [{ op: 'replace', path: '/scope/name', value: 'other' }], ['[invalid]scope.name']);
      assert.deepEqual((await client.retrieveOAuthScope(application.id!, scope.id!)).response.scope, patchedScope.body['scope']);
    });

    it('takes JSON, merge patch and JSON Patch only; other media types and missing bodies are refused', async () => {
      const tenant = (await client.createTenant('', { tenant: { name: `Media ${randomUUID()}` } })).response.tenant!;
      const url = `/api/tenant/${tenant.id}`;
      const merge = await patch(url, { tenant: { issuer: 'https://merge.example.com' } }, 'application/merge-patch+json');
      assert.equal(merge.status, 200);
      const plain = await patch(url, { tenant: { logoutURL: 'https://app.example.com/out' } }, 'application/json; charset=utf-8');
      assert.equal(plain.status, 200);
      const arrayAsJson = await patch(url, [{ op: 'replace', path: '/tenant/issuer', value: 'x' }], 'application/json');
      assert.equal(arrayAsJson.status, 400, 'an operation array is JSON Patch only with its media type');
      const form = await patch(url, 'tenant=x', 'application/x-www-form-urlencoded');
      assert.equal(form.status, 415);
      assert.deepEqual(errorCodes(form.body), ['[invalidContentType]']);
      const none = await patch(url, undefined, '');
      assert.equal(none.status, 400);
      assert.deepEqual(errorCodes(none.body), ['[invalid]request']);
      const emptyText = await patch(url, '', 'text/plain');
      assert.equal(emptyText.status, 400);
      const emptyPatch = await patch(url, []);
      assert.equal(emptyPatch.status, 200, 'an empty patch is a no-op');
      assert.equal(emptyPatch.body['tenant'].issuer, 'https://merge.example.com');
    });

    it('documents both request bodies in OpenAPI', async () => {
      const document = (await gatehouse.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { type?: string } }> } }>> };
      for (const path of ['/api/tenant/{tenantId}', '/api/application/{applicationId}', '/api/application/{applicationId}/role/{roleId}', '/api/application/{applicationId}/scope/{scopeId}', '/api/user/{userId}', '/api/user/registration/{userId}', '/api/user/registration/{userId}/{applicationId}']) {
        const content = document.paths[path]?.['patch']?.requestBody?.content;
        assert.equal(content?.['application/json']?.schema.type, 'object', path);
        assert.equal(content?.['application/merge-patch+json']?.schema.type, 'object', path);
        assert.equal(content?.['application/json-patch+json']?.schema.type, 'array', path);
      }
    });
  });
}
