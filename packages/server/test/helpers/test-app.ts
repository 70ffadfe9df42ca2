import type { FastifyInstance } from 'fastify';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.ts';
import { createAppEvents } from '../../src/events/app-events.ts';
import type { WebhookDirectory } from '../../src/events/webhook-directory.ts';
import type { EventBus } from '../../src/events/event-bus.ts';
import { createKeyRing, generateMasterKeySpec, parseMasterKeys, type KeyRing } from '../../src/keys/key-ring.ts';
import { createSigningKeys, type SigningKeys } from '../../src/keys/signing-keys.ts';
import { ensureSetUp, type SetupResult } from '../../src/setup/first-start.ts';
import type { Store, StoreBackend } from '../../src/store/store.ts';
import { captureLogs, type LogCapture } from './log-capture.ts';
import { openTestStore } from './test-stores.ts';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly signingKeys: SigningKeys;
  readonly setup: SetupResult;
  /** The bootstrap API key: a global, unrestricted key manager. */
  readonly apiKey: string;
  readonly logs: LogCapture;
  /** The app's event bus: observe events with recordEvents (recorded-events.ts). */
  readonly events: EventBus;
  /** Which webhooks want which events, cached: clear it after writing webhooks to the store directly. */
  readonly webhookDirectory: WebhookDirectory;
  close(): Promise<void>;
}

/**
 * A set-up Gatehouse app on a fresh store, not yet `ready()`: a test may still add routes. `now` replaces
 * the app's clock (set-up itself runs on the real one).
 */
export async function createTestApp(backend: StoreBackend = 'pglite', options: { readonly now?: () => number; readonly allowPrivateNetwork?: boolean; readonly vaultRefreshMarginSeconds?: number; readonly webhookDispatch?: boolean } = {}): Promise<TestApp> {
  const testStore = await openTestStore(backend);
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-app-'));
  const keyRing = createKeyRing(parseMasterKeys(generateMasterKeySpec()));
  const { store } = testStore;
  const setup = await ensureSetUp(store, { keyRing, signingAlgorithm: 'ES256', kickstart: false, dataDir, now: Date.now });
  const apiKey = (await readFile(join(dataDir, 'bootstrap-api-key'), 'utf8')).trim();
  const logs = captureLogs();
  const signingKeys = createSigningKeys({ store, keyRing });
  const appEvents = createAppEvents({ store, logger: logs.logger, now: options.now ?? Date.now });
  const events = appEvents.bus;
  const app = await buildApp({ config: { bodyLimit: 1_048_576, trustProxy: false, allowPrivateNetwork: options.allowPrivateNetwork ?? true, vaultRefreshMarginSeconds: options.vaultRefreshMarginSeconds, webhookDispatch: options.webhookDispatch }, store, keyRing, signingKeys, logger: logs.logger, events: appEvents, ...(options.now === undefined ? {} : { now: options.now }) });
  return {
    app,
    store,
    keyRing,
    signingKeys,
    setup,
    apiKey,
    logs,
    events,
    webhookDirectory: appEvents.webhooks,
    async close() {
      await app.close();
      await testStore.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
