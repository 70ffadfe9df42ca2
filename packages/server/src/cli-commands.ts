import { ConfigError, loadConfig } from './config/load-config.ts';
import { createLogger } from './http/logger.ts';
import { generateMasterKeySpec } from './keys/key-ring.ts';
import { runVaultCommand, VaultUsageError } from './keys/vault-command.ts';
import { loadMasterKeyRing } from './keys/master-key-file.ts';
import { isSigningAlgorithm, signingAlgorithmNames } from './keys/signing-key-material.ts';
import { createSigningKeys } from './keys/signing-keys.ts';
import { MasterKeyMismatchError } from './setup/first-start.ts';
import { KickstartError } from './setup/kickstart/kickstart-error.ts';
import { DataDirLockedError } from './store/data-dir-lock.ts';
import { MigrationError } from './store/migrate.ts';
import { openStore } from './store/open-store.ts';

type Env = Readonly<Record<string, string | undefined>>;

const usage = `Usage: ./gatehouse <command>

  start                       serve Gatehouse (configuration: GATEHOUSE_* variables, see README)
  test                        type-check and run the test suites
  migrate                     bring the store's schema up to date and exit
  rotate-signing-key [ALG]    publish a new signing key (ES256, RS256, EdDSA, HS256) and retire the old one
  generate-master-key [ID]    print a new key ring entry for GATEHOUSE_MASTER_KEY (id k1 unless given)
  vault rotate                re-seal every sealed secret with the first GATEHOUSE_MASTER_KEY key (safe while serving)
  vault status                per sealed column, rows per master key id: which keys are still in use
  help                        this text`;

async function migrate(env: Env): Promise<void> {
  const config = loadConfig(env);
  const store = await openStore(config);
  await store.close();
  console.log(`gatehouse: ${store.backend} store is at the latest schema`);
}

async function rotateSigningKey(env: Env, algorithm: string | undefined): Promise<void> {
  const config = loadConfig(env);
  const wanted = algorithm ?? config.signingAlgorithm;
  if (!isSigningAlgorithm(wanted)) throw new ConfigError('ALG', `must be one of ${signingAlgorithmNames.join(', ')}`);
  const keyRing = await loadMasterKeyRing(config);
  const store = await openStore(config);
  try {
    const record = await createSigningKeys({ store, keyRing }).rotate(wanted);
    console.log(`gatehouse: new ${wanted} signing key ${record.kid} (id ${record.id}); older ${wanted} keys stay published`);
  } finally {
    await store.close();
  }
}

/** A second key needs an id other than the first's: `generate-master-key k2`. */
function generateMasterKeySpecWithId(id: string | undefined): string {
  if (id !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new ConfigError('ID', 'must be letters, digits, - and _, at most 32');
  return generateMasterKeySpec(id);
}

/** Errors that are the operator's to fix: one line, no stack trace. */
function exitCodeFor(error: unknown): number | undefined {
  if (error instanceof ConfigError || error instanceof VaultUsageError) return 2;
  if (error instanceof MasterKeyMismatchError) return 2;
  if (error instanceof KickstartError || error instanceof DataDirLockedError || error instanceof MigrationError) return 1;
  return undefined;
}

export async function runCli(args: readonly string[], env: Env): Promise<void> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'start': {
        const { startServer } = await import('./main.ts');
        await startServer(env);
        return;
      }
      case 'migrate':
        await migrate(env);
        return;
      case 'rotate-signing-key':
        await rotateSigningKey(env, rest[0]);
        return;
      case 'generate-master-key':
        console.log(generateMasterKeySpecWithId(rest[0]));
        return;
      case 'vault':
        process.exitCode = await runVaultCommand(env, rest[0]);
        return;
      case undefined:
      case 'help':
      case '--help':
        console.log(usage);
        return;
      default:
        console.error(`gatehouse: unknown command "${command}"\n\n${usage}`);
        process.exitCode = 2;
    }
  } catch (error) {
    const code = exitCodeFor(error);
    if (error instanceof MasterKeyMismatchError) {
      console.error(`gatehouse: GATEHOUSE_MASTER_KEY ${error.message}`);
    } else if (code !== undefined) {
      console.error(`gatehouse: ${(error as Error).message}`);
    } else {
      createLogger('error').error({ err: error }, 'start-up failed');
      console.error(`gatehouse: ${(error as Error).message}`);
    }
    process.exit(code ?? 1);
  }
}

