import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { generateMasterKeySpec } from '../../src/keys/key-ring.ts';
import { bootGatehouse } from '../../src/lifecycle/boot.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.ts';

// A FusionAuth-style development kickstart, as FusionAuth's docs show them: tenant, application with
// roles, a user registered to it, and an extra API key, then a login with what it made.
describe('kickstart seeding tenants, applications, users and registrations', () => {
  let dir: string;
  let database: TestDatabase;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-kickstart-resources-'));
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs every request through the management API and leaves a working setup', async () => {
    const adminKey = `admin-${randomUUID()}`;
    await writeFile(join(dir, 'user.json'), JSON.stringify({ email: 'richard@example.com', password: 'password-from-file', firstName: 'Richard' }));
    await writeFile(
      join(dir, 'kickstart.json'),
      JSON.stringify({
        variables: { applicationId: '#{UUID()}', newTenantId: '#{UUID()}', userId: '#{UUID()}', adminEmail: 'admin@example.com' },
        apiKeys: [{ key: '#{ENV.KICKSTART_ADMIN_KEY}', description: 'Unrestricted API key' }],
        requests: [
          { method: 'POST', url: '/api/tenant/#{newTenantId}', body: { tenant: { name: 'Pied Piper', issuer: 'https://piedpiper.example.com' } } },
          {
            method: 'POST',
            url: '/api/application/#{applicationId}',
            tenantId: '#{newTenantId}',
            body: {
              application: {
                name: 'Pied Piper App',
                roles: [{ name: 'admin' }, { name: 'user', isDefault: true }],
                loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true },
                oauthConfiguration: { authorizedRedirectURLs: ['https://piedpiper.example.com/callback'] },
              },
            },
          },
          {
            method: 'POST',
            url: '/api/user/registration/#{userId}',
            tenantId: '#{newTenantId}',
            body: { user: '&{user.json}', registration: { applicationId: '#{applicationId}', roles: ['admin'] } },
          },
          { method: 'PATCH', url: '/api/tenant/#{newTenantId}', body: { tenant: { jwtConfiguration: { timeToLiveInSeconds: 900 } } } },
          { method: 'POST', url: '/api/api-key', body: { apiKey: { key: 'reader-key-0123456789', tenantId: '#{newTenantId}', permissions: { endpoints: { '/api/user': ['GET'] } } } } },
        ],
      }),
    );
    const env = {
      DATABASE_URL: database.url,
      GATEHOUSE_MASTER_KEY: generateMasterKeySpec(),
      GATEHOUSE_DATA_DIR: join(dir, 'data'),
      GATEHOUSE_KICKSTART: join(dir, 'kickstart.json'),
      KICKSTART_ADMIN_KEY: adminKey,
    };
    const gatehouse = await bootGatehouse({ config: loadConfig(env), logger: captureLogs('info').logger, env });
    try {
      const inject = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) =>
        gatehouse.app.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

      const tenants = (await inject('GET', '/api/tenant', { authorization: adminKey })).json().tenants as Array<{ name: string; id: string; jwtConfiguration: { timeToLiveInSeconds: number } }>;
      const piedPiper = tenants.find((tenant) => tenant.name === 'Pied Piper');
      assert.ok(piedPiper);
      assert.equal(piedPiper.jwtConfiguration.timeToLiveInSeconds, 900);

      const found = await inject('GET', '/api/user?email=richard@example.com', { authorization: 'reader-key-0123456789' });
      assert.equal(found.statusCode, 200, 'the tenant-scoped reader key works');
      const user = found.json().user;
      assert.equal(user.firstName, 'Richard');
      assert.equal(user.tenantId, piedPiper.id);
      assert.deepEqual(user.registrations[0].roles, ['admin']);
      assert.equal((await inject('POST', '/api/api-key', { authorization: 'reader-key-0123456789' }, { apiKey: {} })).statusCode, 401);

      const login = await inject('POST', '/api/login', { authorization: adminKey }, { loginId: 'richard@example.com', password: 'password-from-file', applicationId: user.registrations[0].applicationId });
      assert.equal(login.statusCode, 200);
      assert.ok(login.json().refreshToken);
      const claims = JSON.parse(Buffer.from(login.json().token.split('.')[1], 'base64url').toString());
      assert.equal(claims.iss, 'https://piedpiper.example.com');
      assert.equal(claims.exp - claims.iat, 900);
      assert.deepEqual(claims.roles, ['admin']);
    } finally {
      await gatehouse.close();
    }
  });
});
