import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateMasterKeySpec } from '../../src/keys/key-ring.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.ts';
import { runGatehouse, startGatehouse } from '../helpers/spawn-gatehouse.ts';

function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '' && !line.includes('ExperimentalWarning') && !line.includes('--trace-warnings'));
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

async function jwksKids(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
}

describe('./gatehouse start', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops with exit code 2 and one line naming the variable for a bad value', async () => {
    const result = await runGatehouse(['start'], { GATEHOUSE_PORT: 'ninety', GATEHOUSE_DATA_DIR: join(dir, 'unused') });
    assert.equal(result.code, 2);
    assertOneLineError(result.stderr, /^gatehouse: GATEHOUSE_PORT must be a whole number, got "ninety"$/);
    const pg = await runGatehouse(['start'], { DATABASE_URL: 'postgres://127.0.0.1:5432/x', GATEHOUSE_DATA_DIR: join(dir, 'unused') });
    assert.equal(pg.code, 2);
    assertOneLineError(pg.stderr, /^gatehouse: GATEHOUSE_MASTER_KEY is required when DATABASE_URL/);
  });

  it('serves status and JWKS on the embedded store, locks the data dir, stops cleanly, restarts with the same keys', async () => {
    const dataDir = join(dir, 'embedded');
    const first = await startGatehouse({ GATEHOUSE_DATA_DIR: dataDir });
    let kids: string[];
    let bootstrapKey: string;
    try {
      assert.equal((await fetch(`${first.baseUrl}/api/status`)).status, 200);
      kids = await jwksKids(first.baseUrl);
      assert.equal(kids.length, 1);

      const keyFile = join(dataDir, 'bootstrap-api-key');
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
      assert.equal((await stat(join(dataDir, 'master-key'))).mode & 0o777, 0o600);
      bootstrapKey = (await readFile(keyFile, 'utf8')).trim();
      assert.ok(first.stdout().includes(keyFile), 'the log says where the key is');
      assert.equal(first.stdout().includes(bootstrapKey), false, 'the log never says what it is');
      const authorized = await fetch(`${first.baseUrl}/api/api-key/00000000-0000-4000-8000-000000000000`, { headers: { authorization: bootstrapKey } });
      assert.equal(authorized.status, 404, 'the bootstrap key authenticates');

      const second = await runGatehouse(['start'], { GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_PORT: '0' });
      assert.equal(second.code, 1);
      assertOneLineError(second.stderr, /^gatehouse: data dir .* is in use by process \d+@/);
    } finally {
      assert.equal(await first.stop(), 0);
    }
    assert.match(first.stdout(), /"msg":"stopped"/);

    const restarted = await startGatehouse({ GATEHOUSE_DATA_DIR: dataDir });
    try {
      assert.deepEqual(await jwksKids(restarted.baseUrl), kids);
      const authorized = await fetch(`${restarted.baseUrl}/api/api-key/00000000-0000-4000-8000-000000000000`, { headers: { authorization: bootstrapKey } });
      assert.equal(authorized.status, 404);
      assert.equal(restarted.stdout().includes('bootstrap API key written'), false, 'no second bootstrap key');
    } finally {
      assert.equal(await restarted.stop(), 0);
    }
  });

  describe('on PostgreSQL', () => {
    let database: TestDatabase;
    const masterKey = generateMasterKeySpec();
    before(async () => {
      database = await createTestDatabase();
    });
    after(async () => {
      await database.drop();
    });

    it('migrates, serves status and JWKS, and refuses a different master key', async () => {
      const env = { DATABASE_URL: database.url, GATEHOUSE_MASTER_KEY: masterKey, GATEHOUSE_DATA_DIR: join(dir, 'pg') };
      const migrated = await runGatehouse(['migrate'], env);
      assert.equal(migrated.code, 0, migrated.stderr);
      assert.match(migrated.stdout, /postgres store is at the latest schema/);

      const node = await startGatehouse(env);
      try {
        assert.equal((await fetch(`${node.baseUrl}/api/status`)).status, 200);
        assert.equal((await jwksKids(node.baseUrl)).length, 1);
        assert.match(node.stdout(), /"store":"postgres"/);
      } finally {
        assert.equal(await node.stop(), 0);
      }

      const wrong = await runGatehouse(['start'], { ...env, GATEHOUSE_MASTER_KEY: generateMasterKeySpec('other'), GATEHOUSE_PORT: '0' });
      assert.equal(wrong.code, 2);
      assertOneLineError(wrong.stderr, /^gatehouse: GATEHOUSE_MASTER_KEY does not open this store's secrets/);
    });

    it('rotates the signing key from the CLI, keeping the old one published', async () => {
      const env = { DATABASE_URL: database.url, GATEHOUSE_MASTER_KEY: masterKey, GATEHOUSE_DATA_DIR: join(dir, 'pg') };
      const rotated = await runGatehouse(['rotate-signing-key', 'RS256'], env);
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(rotated.stdout, /new RS256 signing key/);
      const node = await startGatehouse(env);
      try {
        assert.equal((await jwksKids(node.baseUrl)).length, 2);
      } finally {
        await node.stop();
      }
      const bad = await runGatehouse(['rotate-signing-key', 'none'], env);
      assert.equal(bad.code, 2);
    });
  });

  it('prints usage for help and refuses unknown commands', async () => {
    const help = await runGatehouse(['help'], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: \.\/gatehouse <command>/);
    const unknown = await runGatehouse(['fly'], {});
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "fly"/);
  });
});
