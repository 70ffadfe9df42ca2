import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { bootGatehouse } from '../../src/lifecycle/boot.ts';
import { KickstartError } from '../../src/setup/kickstart/kickstart-error.ts';
import { hashApiKey } from '../../src/tenancy/api-key-secret.ts';
import { generateMasterKeySpec } from '../../src/keys/key-ring.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.ts';

describe('kickstart', () => {
  let dir: string;
  const masterKey = generateMasterKeySpec();
  const databases: TestDatabase[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-kickstart-'));
  });
  after(async () => {
    await Promise.all(databases.map((database) => database.drop()));
    await rm(dir, { recursive: true, force: true });
  });

  async function writeKickstart(name: string, document: unknown): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
    return path;
  }

  async function boot(kickstart: string, env: Record<string, string> = {}, database?: TestDatabase) {
    const target = database ?? (await createTestDatabase());
    if (database === undefined) databases.push(target);
    const fullEnv = { DATABASE_URL: target.url, GATEHOUSE_MASTER_KEY: masterKey, GATEHOUSE_DATA_DIR: join(dir, 'data'), GATEHOUSE_KICKSTART: kickstart, ...env };
    const logs = captureLogs('info');
    return { database: target, logs, boot: () => bootGatehouse({ config: loadConfig(fullEnv), logger: logs.logger, env: fullEnv }) };
  }

  it('runs variables, includes, API keys and requests once, in order', async () => {
    const adminKey = `admin-${randomUUID()}`;
    const defaultTenantId = randomUUID();
    await writeFile(join(dir, 'description.txt'), 'Reader "for" reports\n');
    await writeKickstart('third-request.json', {
      method: 'POST',
      url: '/api/api-key',
      body: { apiKey: { key: 'third-key-0123456789', tenantId: '#{FUSIONAUTH_TENANT_ID}', metaData: { attributes: { description: 'literal \\#{notAVariable}' } } } },
    });
    const path = await writeKickstart('kickstart.json', {
      variables: { adminKey: '#{ENV.GH_TEST_ADMIN_KEY}', readerId: '#{UUID()}', defaultTenantId },
      apiKeys: [{ key: '#{adminKey}', description: 'Kickstart admin' }],
      requests: [
        {
          method: 'POST',
          url: '/api/api-key/#{readerId}',
          body: { apiKey: { key: 'reader-key-#{readerId}', metaData: { attributes: { description: '@{description.txt}' } }, permissions: { endpoints: { '/api/api-key': ['GET'] } } } },
        },
        '&{third-request.json}',
      ],
    });
    const run = await boot(path, { GH_TEST_ADMIN_KEY: adminKey });
    const gatehouse = await run.boot();
    try {
      const { repositories } = gatehouse.store;
      assert.equal(gatehouse.setup.defaultTenantId, defaultTenantId);
      assert.deepEqual((await repositories.tenants.list()).map((tenant) => tenant.id), [defaultTenantId]);
      const admin = await repositories.apiKeys.findByHash(hashApiKey(adminKey));
      assert.equal(admin?.keyManager, true);
      assert.equal(admin?.description, 'Kickstart admin');
      const all = await gatehouse.store.db.selectFrom('api_keys').selectAll().execute();
      assert.equal(all.length, 3, 'no bootstrap key when kickstart seeds the store');
      const reader = all.find((key) => key.description === 'Reader "for" reports\n');
      assert.ok(reader, 'the @{} include became the description');
      assert.deepEqual(reader.key_hash, hashApiKey(`reader-key-${reader.id}`), 'one #{UUID()} variable has one value');
      const third = await repositories.apiKeys.findByHash(hashApiKey('third-key-0123456789'));
      assert.equal(third?.tenantId, defaultTenantId);
      assert.equal(third?.description, 'literal #{notAVariable}');
      assert.equal((await repositories.instance.find())?.kickstartState, 'done');
      const over = (await gatehouse.app.inject({ method: 'GET', url: `/api/api-key/${reader.id}`, headers: { authorization: adminKey } })).statusCode;
      assert.equal(over, 200);
    } finally {
      await gatehouse.close();
    }

    const again = await bootGatehouse({
      config: loadConfig({ DATABASE_URL: run.database.url, GATEHOUSE_MASTER_KEY: masterKey, GATEHOUSE_DATA_DIR: join(dir, 'data'), GATEHOUSE_KICKSTART: path, GH_TEST_ADMIN_KEY: adminKey }),
      logger: run.logs.logger,
      env: { GH_TEST_ADMIN_KEY: adminKey },
    });
    try {
      assert.equal(await again.store.repositories.apiKeys.count(), 3, 'a second start does not run it again');
      assert.ok(run.logs.text().includes('kickstart skipped'));
    } finally {
      await again.close();
    }
  });

  it('stops start-up at the first failing request with its index, path and the API error', async () => {
    const path = await writeKickstart('failing.json', {
      apiKeys: [{ key: 'failing-admin-key-0123456789' }],
      requests: [
        { method: 'POST', url: '/api/api-key', body: { apiKey: { key: 'good-key-0123456789' } } },
        { method: 'POST', url: '/api/api-key', body: { apiKey: { key: 'short' } } },
        { method: 'POST', url: '/api/api-key', body: { apiKey: { key: 'never-created-0123456789' } } },
      ],
    });
    const run = await boot(path);
    await assert.rejects(run.boot(), (error: unknown) => {
      assert.ok(error instanceof KickstartError);
      assert.match(error.message, /^requests\[1\] POST \/api\/api-key failed with 400: \{"fieldErrors":\{"apiKey\.key":\[\{"code":"\[tooShort\]apiKey\.key"/);
      return true;
    });
    const rebooted = run.boot();
    await assert.rejects(rebooted, /earlier kickstart on this store failed part-way/);
  });

  it('refuses a file with an unset environment variable before touching the store', async () => {
    const path = await writeKickstart('env.json', { apiKeys: [{ key: '#{ENV.GH_TEST_SURELY_UNSET}' }] });
    const run = await boot(path);
    await assert.rejects(run.boot(), (error: unknown) => error instanceof KickstartError && /GH_TEST_SURELY_UNSET is not set/.test(error.message));
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: run.database.url });
    await client.connect();
    const { rows } = await client.query(`select count(*)::int as n from information_schema.tables where table_name = 'instance'`);
    await client.end();
    assert.equal(rows[0].n, 0, 'the store was not even migrated');
  });

  it('names what is wrong with a malformed file', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['not-json.json', '{"apiKeys": [', /not valid JSON/],
      ['no-keys.json', { requests: [] }, /"apiKeys" must list at least one key/],
      ['scoped-first.json', { apiKeys: [{ key: 'first-key-0123456789', tenantId: randomUUID() }] }, /apiKeys\[0\] runs the requests/],
      ['bad-method.json', { apiKeys: [{ key: 'first-key-0123456789' }], requests: [{ method: 'DELETE', url: '/api/x' }] }, /requests\[0\]\.method must be POST, PUT or PATCH/],
      ['bad-variable.json', { apiKeys: [{ key: '#{nope}' }] }, /apiKeys\[0\]\.key uses the undefined variable #\{nope\}/],
      ['bad-include.json', { apiKeys: [{ key: 'k-0123456789abcdef' }], requests: ['&{missing.json}'] }, /cannot read kickstart include/],
    ];
    for (const [name, document, message] of cases) {
      const run = await boot(await writeKickstart(name, document));
      await assert.rejects(run.boot(), (error: unknown) => error instanceof KickstartError && message.test(error.message), name);
    }
  });
});
