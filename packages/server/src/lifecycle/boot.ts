import type { FastifyInstance } from 'fastify';
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { buildApp } from '../app.ts';
import type { Config } from '../config/options.ts';
import { loadMasterKeyRing } from '../keys/master-key-file.ts';
import { createSigningKeys, type SigningKeys } from '../keys/signing-keys.ts';
import { ensureSetUp, type SetupResult } from '../setup/first-start.ts';
import { loadKickstartFile, type KickstartFile } from '../setup/kickstart/kickstart-file.ts';
import { runKickstart } from '../setup/kickstart/run-kickstart.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';

export interface Gatehouse {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly signingKeys: SigningKeys;
  readonly setup: SetupResult;
  /** Stops the HTTP server (finishing in-flight requests) and closes the store. */
  close(): Promise<void>;
}

export interface BootOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** The environment kickstart files read through #{ENV.NAME}. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
}

/** Everything between a valid configuration and a server ready to listen: store, setup, app, kickstart. */
export async function bootGatehouse(options: BootOptions): Promise<Gatehouse> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  // Read the kickstart file before touching the store: a broken file must not leave a half-set-up one.
  const kickstart = config.kickstart === undefined ? undefined : await loadKickstartFile(config.kickstart, options.env);
  const keyRing = await loadMasterKeyRing(config);
  const store = await openStore(config);
  try {
    const setup = await ensureSetUp(store, {
      keyRing,
      signingAlgorithm: config.signingAlgorithm,
      kickstart: kickstart !== undefined,
      defaultTenantId: kickstart?.variables['defaultTenantId'],
      dataDir: config.dataDir,
      now,
    });
    const signingKeys = createSigningKeys({ store, keyRing, now, defaultAlgorithm: config.signingAlgorithm });
    const app = await buildApp({ config, store, keyRing, signingKeys, logger, now });
    if (setup.bootstrapKeyFile !== undefined) {
      logger.info({ file: setup.bootstrapKeyFile }, 'first start: bootstrap API key written (readable by this user only)');
    }
    if (kickstart !== undefined) await kickstartOnce(kickstart, { app, store, setup, logger, now });
    await app.ready();
    return {
      app,
      store,
      signingKeys,
      setup,
      async close() {
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function kickstartOnce(
  file: KickstartFile,
  context: { app: FastifyInstance; store: Store; setup: SetupResult; logger: Logger; now: () => number },
): Promise<void> {
  const { setup, store, logger } = context;
  if (!setup.fresh) {
    const state = setup.instance.kickstartState;
    if (state === 'failed') {
      throw new Error('an earlier kickstart on this store failed part-way; start on an empty store (new data dir or database) to run it again');
    }
    logger.info({ state }, 'kickstart skipped: the store was set up before');
    return;
  }
  const builtins: Record<string, string> = { FUSIONAUTH_TENANT_ID: setup.defaultTenantId };
  if (setup.defaultSigningKeyId !== undefined) builtins['FUSIONAUTH_DEFAULT_SIGNING_KEY_ID'] = setup.defaultSigningKeyId;
  try {
    await runKickstart(file, { ...context, builtins });
  } catch (error) {
    await store.repositories.instance.setKickstartState('failed');
    throw error;
  }
  await store.repositories.instance.setKickstartState('done');
  logger.info('kickstart finished');
}
