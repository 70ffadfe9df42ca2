import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createKeyRing, generateMasterKeySpec, parseMasterKeys } from '../../src/keys/key-ring.ts';
import { ensureSetUp, MasterKeyMismatchError } from '../../src/setup/first-start.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { openPostgres } from '../../src/store/open-postgres.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.ts';

// Two nodes on one PostgreSQL start at the same moment: schema and first-start setup happen once.
describe('two nodes starting together on one PostgreSQL', () => {
  let database: TestDatabase;
  let nodes: Store[];
  let dataDir: string;
  before(async () => {
    database = await createTestDatabase();
    nodes = [openPostgres(database.url, 3), openPostgres(database.url, 3)];
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-cluster-'));
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('migrate once, in turn', async () => {
    const applied = await Promise.all(nodes.map((node) => migrateToLatest(node.db)));
    const every = Object.keys(await migrationProvider.getMigrations()).sort();
    assert.deepEqual(applied.flat().sort(), every, 'each migration ran on exactly one node');
    const { rows } = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(nodes[0]!.db);
    assert.equal(rows[0]?.n, every.length);
  });

  it('set the store up once: one tenant, one signing key, one bootstrap key', async () => {
    const keyRing = createKeyRing(parseMasterKeys(generateMasterKeySpec()));
    const results = await Promise.all(
      nodes.map((node) => ensureSetUp(node, { keyRing, signingAlgorithm: 'ES256', kickstart: false, dataDir, now: Date.now })),
    );
    assert.deepEqual(results.map((result) => result.fresh).sort(), [false, true]);
    assert.equal(results[0]?.defaultTenantId, results[1]?.defaultTenantId);
    const repositories = nodes[0]!.repositories;
    assert.equal(await repositories.tenants.count(), 1);
    assert.equal(await repositories.apiKeys.count(), 1);
    assert.equal((await repositories.signingKeys.listPublished()).length, 1);
  });

  it('a node with another master key is refused', async () => {
    const otherRing = createKeyRing(parseMasterKeys(generateMasterKeySpec('other')));
    await assert.rejects(
      ensureSetUp(nodes[1]!, { keyRing: otherRing, signingAlgorithm: 'ES256', kickstart: false, dataDir, now: Date.now }),
      (error: unknown) => error instanceof MasterKeyMismatchError && /not in GATEHOUSE_MASTER_KEY/.test(error.message),
    );
  });
});
