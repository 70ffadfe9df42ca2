import { loadConfig } from '../config/load-config.ts';
import { recordEventLog } from '../events/operator-log.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { createKeyRing, parseMasterKeys, type KeyRing, type MasterKey } from './key-ring.ts';
import { loadOrCreateMasterKeyFile } from './master-key-file.ts';
import { keyIdsInUse, resealAll, sealStatus } from './reseal.ts';
import { sealedColumnName } from './sealed-columns.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** A missing or unknown `vault` subcommand: exit code 2 like other operator mistakes. */
export class VaultUsageError extends Error {
  override readonly name = 'VaultUsageError';
}

/** Lines of progress on a big table: one per this many re-sealed rows, so a long rotation shows it is alive. */
const progressEvery = 1000;

/**
 * `./gatehouse vault rotate|status`: re-seals every sealed column with the ring's first key, or shows which
 * keys still seal something, so an operator knows when an old key can leave GATEHOUSE_MASTER_KEY.
 * Returns the exit code.
 */
export async function runVaultCommand(env: Env, subcommand: string | undefined): Promise<number> {
  if (subcommand !== 'rotate' && subcommand !== 'status') {
    throw new VaultUsageError(`vault needs a subcommand: "vault rotate" or "vault status"${subcommand === undefined ? '' : `, got "${subcommand}"`}`);
  }
  const config = loadConfig(env);
  // The ids of the whole ring, not just the active one: status tells which of them still seal something.
  const keys: readonly MasterKey[] = config.masterKey ?? parseMasterKeys(await loadOrCreateMasterKeyFile(config.dataDir));
  const keyRing = createKeyRing(keys);
  const store = await openStore(config);
  try {
    return subcommand === 'rotate' ? await rotate(store, keyRing) : await status(store, keys);
  } finally {
    await store.close();
  }
}

async function rotate(store: Store, keyRing: KeyRing): Promise<number> {
  console.log(`gatehouse: re-sealing every sealed column with master key "${keyRing.activeKeyId}"`);
  const printed = new Map<string, number>();
  const results = await resealAll(store.db, keyRing, {
    onProgress({ column, resealed }) {
      const name = sealedColumnName(column);
      if (resealed - (printed.get(name) ?? 0) < progressEvery) return;
      printed.set(name, resealed);
      console.log(`  ${name}: ${resealed} re-sealed so far`);
    },
  });
  let left = 0;
  for (const { column, resealed, failed, remaining } of results) {
    const notes = [failed === 0 ? '' : `${failed} do not open with this key ring (left as they are)`, remaining > failed ? `${remaining - failed} busy, run again` : ''];
    console.log(`  ${sealedColumnName(column)}: ${resealed} re-sealed${notes.filter((note) => note !== '').map((note) => `, ${note}`).join('')}`);
    left += remaining;
  }
  if (left > 0) {
    console.error(`gatehouse: ${left} sealed values are still under another key; ./gatehouse vault status shows which`);
    return 1;
  }
  console.log(`gatehouse: every sealed value is under master key "${keyRing.activeKeyId}"; ./gatehouse vault status confirms which keys can go`);
  await recordEventLog(store, { type: 'Information', message: `./gatehouse vault rotate re-sealed every sealed value under master key [${keyRing.activeKeyId}].`, insertInstant: Date.now() });
  return 0;
}

async function status(store: Store, keys: readonly MasterKey[]): Promise<number> {
  const statuses = await sealStatus(store.db);
  console.log(`gatehouse: master key ring ${keys.map((key) => key.id).join(', ')} (the first, "${keys[0]?.id}", seals)`);
  for (const { column, rowsByKeyId } of statuses) {
    const counts = Object.entries(rowsByKeyId).map(([id, count]) => `${id} ${count}`);
    console.log(`  ${sealedColumnName(column)}: ${counts.length === 0 ? 'no sealed values' : counts.join(', ')}`);
  }
  const inUse = keyIdsInUse(statuses);
  console.log(`master key ids in use: ${inUse.length === 0 ? 'none' : inUse.join(', ')}`);
  const total = (id: string) => statuses.reduce((sum, status) => sum + (status.rowsByKeyId[id] ?? 0), 0);
  for (const [index, key] of keys.entries()) {
    if (index === 0) continue;
    console.log(
      inUse.includes(key.id)
        ? `  ${key.id}: still seals ${total(key.id)} values; keep it until ./gatehouse vault rotate has re-sealed them`
        : `  ${key.id}: seals nothing; it can be removed from GATEHOUSE_MASTER_KEY once every node runs with "${keys[0]?.id}" first`,
    );
  }
  const ringIds = new Set(keys.map((key) => key.id));
  for (const id of inUse.filter((used) => !ringIds.has(used))) {
    console.log(`  ${id}: not in GATEHOUSE_MASTER_KEY; its ${total(id)} values do not open`);
  }
  return 0;
}
