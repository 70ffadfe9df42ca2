import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.ts';
import { runGatehouse, startGatehouse } from '../helpers/spawn-gatehouse.ts';

describe('./gatehouse vault', () => {
  let dir: string;
  let database: TestDatabase;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-vault-'));
    database = await createTestDatabase();
  });
  after(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates a PostgreSQL store to a new master key; status tells when the old key can go', async () => {
    const generated = await runGatehouse(['generate-master-key', 'k2'], {});
    assert.equal(generated.code, 0, generated.stderr);
    const k2 = generated.stdout.trim();
    assert.match(k2, /^k2:[A-Za-z0-9_-]{43}$/);
    const k1 = (await runGatehouse(['generate-master-key'], {})).stdout.trim();
    assert.match(k1, /^k1:/);
    const env = (masterKey: string) => ({ DATABASE_URL: database.url, GATEHOUSE_MASTER_KEY: masterKey, GATEHOUSE_DATA_DIR: join(dir, 'pg') });

    const first = await startGatehouse(env(k1));
    assert.equal(await first.stop(), 0);

    const before = await runGatehouse(['vault', 'status'], env(`${k2},${k1}`));
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /master key ring k2, k1 \(the first, "k2", seals\)/);
    assert.match(before.stdout, /^ {2}instance\.key_check: k1 1$/m);
    assert.match(before.stdout, /^ {2}signing_keys\.private_sealed: k1 1$/m);
    assert.match(before.stdout, /^ {2}upstream_authorizations\.code_verifier_sealed: no sealed values$/m);
    assert.match(before.stdout, /^master key ids in use: k1$/m);
    assert.match(before.stdout, /k1: still seals 2 values; keep it/);

    const rotated = await runGatehouse(['vault', 'rotate'], env(`${k2},${k1}`));
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /re-sealing every sealed column with master key "k2"/);
    assert.match(rotated.stdout, /^ {2}instance\.key_check: 1 re-sealed$/m);
    assert.match(rotated.stdout, /^ {2}applications\.client_secret_sealed: 0 re-sealed$/m);
    assert.equal(rotated.stdout.includes(k1.slice(3)) || rotated.stdout.includes(k2.slice(3)), false, 'no key material in the output');

    const afterwards = await runGatehouse(['vault', 'status'], env(`${k2},${k1}`));
    assert.equal(afterwards.code, 0, afterwards.stderr);
    assert.match(afterwards.stdout, /^master key ids in use: k2$/m);
    assert.match(afterwards.stdout, /k1: seals nothing; it can be removed from GATEHOUSE_MASTER_KEY/);

    // The old key is gone: the store opens with the new key alone.
    const second = await startGatehouse(env(k2));
    try {
      assert.equal((await fetch(`${second.baseUrl}/api/status`)).status, 200);
    } finally {
      assert.equal(await second.stop(), 0);
    }

    // A ring missing the key that sealed the values re-seals nothing and says so.
    const wrongRing = await runGatehouse(['vault', 'rotate'], env(k1));
    assert.equal(wrongRing.code, 1);
    assert.match(wrongRing.stdout, /instance\.key_check: 0 re-sealed, 1 do not open with this key ring \(left as they are\)/);
    assert.match(wrongRing.stderr, /gatehouse: 2 sealed values are still under another key; \.\/gatehouse vault status shows which/);
    const stillK2 = await runGatehouse(['vault', 'status'], env(k1));
    assert.match(stillK2.stdout, /k2: not in GATEHOUSE_MASTER_KEY; its 2 values do not open/);
  });

  it('refuses a missing or unknown subcommand and a bad key id with exit code 2', async () => {
    const missing = await runGatehouse(['vault'], {});
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^gatehouse: vault needs a subcommand: "vault rotate" or "vault status"$/m);
    const unknown = await runGatehouse(['vault', 'spin'], {});
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /got "spin"/);
    const badId = await runGatehouse(['generate-master-key', 'no spaces'], {});
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /^gatehouse: ID must be letters, digits, - and _, at most 32$/m);
  });
});
