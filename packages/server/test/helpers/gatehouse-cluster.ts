/**
 * Several real `gatehouse start` processes on one PostgreSQL database — a cluster as production runs it:
 * the same master key, each node its own data dir (a data dir is locked to one process), one kickstart
 * API key that every node accepts. The first node starts alone so it runs the set-up and the kickstart;
 * the others find the store set up.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKeySpec } from '../../src/keys/key-ring.ts';
import { startGatehouse, type RunningGatehouse } from './spawn-gatehouse.ts';

export interface GatehouseCluster {
  readonly nodes: readonly RunningGatehouse[];
  /** The kickstart's unrestricted API key. */
  readonly apiKey: string;
  /** The master key ring every node runs with (tests unseal stored values with it). */
  readonly masterKey: string;
  /** Starts one more node (a fresh data dir, the same database, key and environment) and adds it to `nodes`. */
  addNode(): Promise<RunningGatehouse>;
  /** Calls the management API of a node (the first by default); throws on a non-2xx answer. */
  api(method: string, path: string, body?: unknown, node?: number): Promise<Record<string, any>>;
  /** Stops every node still running (SIGTERM, SIGKILL after 15 s) and removes the data dirs. */
  close(): Promise<void>;
}

export interface GatehouseClusterOptions {
  /** A database of its own (createTestDatabase); the cluster never drops it. */
  readonly databaseUrl: string;
  readonly nodes: number;
  /** More environment for every node. */
  readonly env?: Record<string, string>;
}

/** Starts the nodes one after the other; on a failure the ones started are stopped again. */
export async function startGatehouseCluster(options: GatehouseClusterOptions): Promise<GatehouseCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-cluster-'));
  const apiKey = `cluster-${randomBytes(24).toString('hex')}`;
  const masterKey = generateMasterKeySpec();
  const kickstart = join(dir, 'kickstart.json');
  await writeFile(kickstart, JSON.stringify({ apiKeys: [{ key: apiKey, description: 'cluster test key' }], requests: [] }));
  const nodes: RunningGatehouse[] = [];
  const close = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const addNode = async () => {
    const dataDir = join(dir, `node-${nodes.length}`);
    await mkdir(dataDir);
    const node = await startGatehouse({ DATABASE_URL: options.databaseUrl, GATEHOUSE_MASTER_KEY: masterKey, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_KICKSTART: kickstart, ...options.env });
    nodes.push(node);
    return node;
  };
  try {
    for (let index = 0; index < options.nodes; index += 1) await addNode();
  } catch (error) {
    await close();
    throw error;
  }
  return {
    nodes,
    apiKey,
    masterKey,
    addNode,
    async api(method, path, body, node = 0) {
      const response = await fetch(`${nodes[node]!.baseUrl}${path}`, {
        method,
        headers: { authorization: apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, any>;
    },
    close,
  };
}
