import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { webhookPasswordContext } from '../../src/events/webhook-secrets.ts';
import { sql } from 'kysely';
import { accessTokenContext, refreshTokenContext } from '../../src/federation/link-tokens.ts';
import { createKeyRing, generateMasterKeySpec, parseMasterKeys, UnsealError, type KeyRing, type MasterKey, type SealContext } from '../../src/keys/key-ring.ts';
import { resealAll, sealStatus, type ResealProgress } from '../../src/keys/reseal.ts';
import { sealContextOf, sealedColumnName, sealedColumns, type SealedColumn } from '../../src/keys/sealed-columns.ts';
import { createSigningKeys } from '../../src/keys/signing-keys.ts';
import { ensureSetUp } from '../../src/setup/first-start.ts';
import type { Store } from '../../src/store/store.ts';
import { sealClientSecret, sealOwnedClientSecret, unsealClientSecret, unsealOwnedClientSecret } from '../../src/tenancy/client-secret.ts';
import { backends, openTestStore, type TestStore } from '../helpers/test-stores.ts';

const instant = 1_700_000_000_000;
const masterKey = (id: string): MasterKey => parseMasterKeys(generateMasterKeySpec(id))[0]!;
const [k1, k2, k3, k4, k5] = ['k1', 'k2', 'k3', 'k4', 'k5'].map(masterKey) as [MasterKey, MasterKey, MasterKey, MasterKey, MasterKey];

interface SealedRow {
  readonly keyId: string;
  readonly sealed: Buffer;
  readonly plaintext: string;
}

/** Every sealed value of the store by `table.column|context row`, opened with `keyRing` through the registry. */
async function snapshot(store: Store, keyRing: KeyRing): Promise<Map<string, SealedRow>> {
  const values = new Map<string, SealedRow>();
  for (const column of sealedColumns) {
    const { rows } = await sql<{ context_row: unknown; sealed: Uint8Array }>`
      select ${sql.ref(column.contextRow.column)} as context_row, ${sql.ref(column.column)} as sealed
      from ${sql.table(column.table)} where ${sql.ref(column.column)} is not null`.execute(store.db);
    for (const row of rows) {
      const sealed = Buffer.from(row.sealed);
      const context = sealContextOf(column, row.context_row);
      const keyId = sealed.subarray(2, 2 + sealed[1]!).toString();
      values.set(`${sealedColumnName(column)}|${context.row}`, { keyId, sealed, plaintext: keyRing.unseal(sealed, context).toString('hex') });
    }
  }
  return values;
}

interface Seeded {
  readonly applicationIds: string[];
  readonly entityId: string;
  readonly providerId: string;
}

/**
 * One or more sealed values in every registered column, sealed the way the code that owns each column
 * seals it (its own context functions, or the context it spells out), so a registry entry that disagrees
 * with its writer fails here.
 */
async function seed(store: Store, keyRing: KeyRing): Promise<Seeded> {
  const setup = await ensureSetUp(store, { keyRing, signingAlgorithm: 'ES256', kickstart: true, dataDir: tmpdir(), now: () => instant });
  await createSigningKeys({ store, keyRing, now: () => instant }).rotate('RS256');
  const tenantId = setup.defaultTenantId;
  const db = store.db;
  const applicationIds = Array.from({ length: 5 }, () => randomUUID());
  for (const [index, id] of applicationIds.entries()) {
    await sql`insert into applications (id, tenant_id, name, client_secret_sealed, insert_instant, last_update_instant)
      values (${id}, ${tenantId}, ${`app ${index}`}, ${sealClientSecret(keyRing, id, `secret-${index}`)}, ${instant}, ${instant})`.execute(db);
  }
  const entityTypeId = randomUUID();
  const entityId = randomUUID();
  await sql`insert into entity_types (id, name, insert_instant, last_update_instant) values (${entityTypeId}, 'api', ${instant}, ${instant})`.execute(db);
  await sql`insert into entities (id, tenant_id, entity_type_id, name, client_id, client_secret_sealed, insert_instant, last_update_instant)
    values (${entityId}, ${tenantId}, ${entityTypeId}, 'entity', ${entityId}, ${sealOwnedClientSecret(keyRing, { table: 'entities', id: entityId }, 'entity-secret')}, ${instant}, ${instant})`.execute(db);
  const providerId = randomUUID();
  const publicProviderId = randomUUID();
  await sql`insert into identity_providers (id, type, name, enabled, client_secret_sealed, insert_instant, last_update_instant) values
    (${providerId}, 'OpenIDConnect', 'upstream', true, ${sealOwnedClientSecret(keyRing, { table: 'identity_providers', id: providerId }, 'idp-secret')}, ${instant}, ${instant}),
    (${publicProviderId}, 'OpenIDConnect', 'public upstream', true, null, ${instant}, ${instant})`.execute(db);
  const userId = randomUUID();
  await sql`insert into users (id, tenant_id, email, insert_instant, last_update_instant) values (${userId}, ${tenantId}, 'ada@example.com', ${instant}, ${instant})`.execute(db);
  for (const [index, withAccessToken] of [true, false].entries()) {
    const linkId = randomUUID();
    const idTokenContext: SealContext = { table: 'identity_provider_links', row: linkId, column: 'id_token_sealed' };
    await sql`insert into identity_provider_links (id, tenant_id, user_id, identity_provider_id, identity_provider_user_id, token_sealed, access_token_sealed, id_token_sealed, insert_instant, last_login_instant)
      values (${linkId}, ${tenantId}, ${userId}, ${providerId}, ${`upstream-${index}`}, ${keyRing.seal(`refresh-${index}`, refreshTokenContext(linkId))},
        ${withAccessToken ? keyRing.seal(`access-${index}`, accessTokenContext(linkId)) : null}, ${withAccessToken ? keyRing.seal(`id-${index}`, idTokenContext) : null}, ${instant}, ${instant})`.execute(db);
  }
  const pendingId = createHash('sha256').update(randomBytes(32)).digest();
  const pendingContext: SealContext = { table: 'pending_identity_provider_links', row: pendingId.toString('hex'), column: 'token_sealed' };
  await sql`insert into pending_identity_provider_links (id, tenant_id, identity_provider_id, identity_provider_user_id, token_sealed, insert_instant, expiration_instant)
    values (${pendingId}, ${tenantId}, ${providerId}, 'pending', ${keyRing.seal('pending-token', pendingContext)}, ${instant}, ${instant + 60_000})`.execute(db);
  const authorizationId = createHash('sha256').update(randomBytes(32)).digest();
  const verifierContext: SealContext = { table: 'upstream_authorizations', row: authorizationId.toString('hex'), column: 'code_verifier_sealed' };
  await sql`insert into upstream_authorizations (id, tenant_id, identity_provider_id, application_id, browser_binding, nonce, code_verifier_sealed, redirect_uri, request, insert_instant, expiration_instant)
    values (${authorizationId}, ${tenantId}, ${providerId}, ${applicationIds[0]}, ${randomBytes(32)}, 'nonce', ${keyRing.seal('verifier', verifierContext)},
      'https://app.example.com/cb', '[]', ${instant}, ${instant + 60_000})`.execute(db);
  const webhookId = randomUUID();
  await sql`insert into webhooks (id, url, settings, http_authentication_password_sealed, insert_instant, last_update_instant)
    values (${webhookId}, 'https://hooks.example.com/', '{}', ${keyRing.seal('hook-password', webhookPasswordContext(webhookId))}, ${instant}, ${instant})`.execute(db);
  return { applicationIds, entityId, providerId };
}

async function applicationSecret(store: Store, keyRing: KeyRing, id: string): Promise<string> {
  const { rows } = await sql<{ sealed: Uint8Array }>`select client_secret_sealed as sealed from applications where id = ${id}`.execute(store.db);
  return unsealClientSecret(keyRing, { id, clientSecretSealed: Buffer.from(rows[0]!.sealed) });
}

async function swapApplicationSecrets(store: Store, first: string, second: string): Promise<void> {
  await sql`update applications a set client_secret_sealed = b.client_secret_sealed from applications b
    where (a.id, b.id) in ((${first}::uuid, ${second}::uuid), (${second}::uuid, ${first}::uuid))`.execute(store.db);
}

const totals = (results: readonly { resealed: number }[]) => results.reduce((sum, result) => sum + result.resealed, 0);
const applicationsColumn = sealedColumns.find((column) => column.table === 'applications') as SealedColumn;

for (const backend of backends) {
  describe(`re-sealing with a new master key (${backend})`, () => {
    let test: TestStore;
    let store: Store;
    let seeded: Seeded;
    let before1: Map<string, SealedRow>;
    const ring1 = createKeyRing([k1]);
    before(async () => {
      test = await openTestStore(backend);
      store = test.store;
      seeded = await seed(store, ring1);
      before1 = await snapshot(store, ring1);
    });
    after(() => test.dispose());

    it('seeds every registered column, and counts sealed values per key id (nulls are not values)', async () => {
      for (const column of sealedColumns) {
        assert.ok([...before1.keys()].some((key) => key.startsWith(`${sealedColumnName(column)}|`)), `${sealedColumnName(column)} has a sealed row`);
      }
      const status = await sealStatus(store.db);
      assert.deepEqual(
        Object.fromEntries(status.map(({ column, rowsByKeyId }) => [sealedColumnName(column), rowsByKeyId])),
        {
          'instance.key_check': { k1: 1 },
          'signing_keys.private_sealed': { k1: 2 },
          'applications.client_secret_sealed': { k1: 5 },
          'entities.client_secret_sealed': { k1: 1 },
          'identity_providers.client_secret_sealed': { k1: 1 },
          'identity_provider_links.token_sealed': { k1: 2 },
          'identity_provider_links.access_token_sealed': { k1: 1 },
          'identity_provider_links.id_token_sealed': { k1: 1 },
          'pending_identity_provider_links.token_sealed': { k1: 1 },
          'upstream_authorizations.code_verifier_sealed': { k1: 1 },
          'webhooks.http_authentication_password_sealed': { k1: 1 },
        },
      );
    });

    it('re-seals every value with the active key in batches; the new key alone opens them, to the same plaintext', async () => {
      const progress: ResealProgress[] = [];
      const results = await resealAll(store.db, createKeyRing([k2, k1]), { batchSize: 2, onProgress: (step) => progress.push(step) });
      assert.equal(totals(results), before1.size);
      assert.ok(results.every((result) => result.failed === 0 && result.remaining === 0));
      const applications = progress.filter((step) => step.column === applicationsColumn).map((step) => step.resealed);
      assert.deepEqual(applications, [2, 4, 5], 'one progress report per batch of two, running totals');

      const ring2 = createKeyRing([k2]);
      const after2 = await snapshot(store, ring2);
      assert.deepEqual([...after2.keys()].sort(), [...before1.keys()].sort());
      for (const [key, value] of after2) {
        assert.equal(value.keyId, 'k2', key);
        assert.equal(value.plaintext, before1.get(key)?.plaintext, key);
      }
      assert.deepEqual((await sealStatus(store.db)).flatMap((status) => Object.keys(status.rowsByKeyId)).filter((id) => id !== 'k2'), []);
      // The code paths that read these values open them with the new key alone.
      await ensureSetUp(store, { keyRing: ring2, signingAlgorithm: 'ES256', kickstart: true, dataDir: tmpdir(), now: () => instant });
      assert.ok(await createSigningKeys({ store, keyRing: ring2 }).active('RS256'));
      assert.equal(await applicationSecret(store, ring2, seeded.applicationIds[3]!), 'secret-3');
      await assert.rejects(applicationSecret(store, ring1, seeded.applicationIds[3]!), /sealed with master key "k2", which is not in GATEHOUSE_MASTER_KEY/);
    });

    it('a second rotation with the same key changes nothing', async () => {
      const ring21 = createKeyRing([k2, k1]);
      const first = await snapshot(store, ring21);
      const results = await resealAll(store.db, ring21, { batchSize: 3 });
      assert.equal(totals(results), 0);
      const second = await snapshot(store, ring21);
      for (const [key, value] of first) assert.ok(second.get(key)?.sealed.equals(value.sealed), `${key} is byte for byte the same`);
    });

    it('a value swapped between two rows does not open, and rotation leaves it as it is rather than re-sealing it', async () => {
      const [a, b] = seeded.applicationIds as [string, string];
      await swapApplicationSecrets(store, a, b);
      const ring32 = createKeyRing([k3, k2]);
      await assert.rejects(applicationSecret(store, ring32, a), UnsealError);
      const results = await resealAll(store.db, ring32, { columns: [applicationsColumn], batchSize: 2 });
      assert.deepEqual(results.map(({ resealed, failed, remaining }) => ({ resealed, failed, remaining })), [{ resealed: 3, failed: 2, remaining: 2 }]);
      assert.deepEqual((await sealStatus(store.db, [applicationsColumn]))[0]?.rowsByKeyId, { k2: 2, k3: 3 });
      await assert.rejects(applicationSecret(store, ring32, b), /does not open with master key "k2" for applications.client_secret_sealed/);
      await swapApplicationSecrets(store, a, b);
      assert.equal(await applicationSecret(store, ring32, a), 'secret-0');
      assert.equal(await applicationSecret(store, createKeyRing([k3]), seeded.applicationIds[4]!), 'secret-4');
    });

    it('two rotations at once re-seal each value exactly once', async () => {
      const ring = createKeyRing([k4, k3, k2]);
      const [left, right] = await Promise.all([resealAll(store.db, ring, { batchSize: 1 }), resealAll(store.db, ring, { batchSize: 1 })]);
      assert.equal(totals(left) + totals(right), before1.size);
      const values = await snapshot(store, createKeyRing([k4]));
      assert.ok([...values.values()].every((value) => value.keyId === 'k4'));
      assert.equal(unsealOwnedClientSecret(createKeyRing([k4]), { table: 'entities', id: seeded.entityId }, values.get(`entities.client_secret_sealed|${seeded.entityId}`)!.sealed), 'entity-secret');
    });

    if (backend === 'postgres') {
      it('skips a row a writer holds instead of waiting, and never overwrites what the writer commits', async () => {
        const ring = createKeyRing([k5, k4]);
        const id = seeded.applicationIds[1]!;
        await store.db.transaction().execute(async (trx) => {
          await sql`update applications set client_secret_sealed = ${sealClientSecret(ring, id, 'rotated by the writer')} where id = ${id}`.execute(trx);
          const results = await resealAll(store.db, ring, { columns: [applicationsColumn] });
          assert.deepEqual(results.map(({ resealed, failed, remaining }) => ({ resealed, failed, remaining })), [{ resealed: 4, failed: 0, remaining: 1 }]);
        });
        assert.equal(await applicationSecret(store, createKeyRing([k5]), id), 'rotated by the writer');
        assert.equal(totals(await resealAll(store.db, ring, { columns: [applicationsColumn] })), 0);
      });
    }
  });
}
