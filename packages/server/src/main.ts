import { loadConfig } from './config/load-config.ts';
import { createLogger } from './http/logger.ts';
import { bootGatehouse } from './lifecycle/boot.ts';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown.ts';

/** `./gatehouse start`: configuration, store, app, listen; graceful shutdown on SIGTERM/SIGINT. */
export async function startServer(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const startedAt = performance.now();
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const gatehouse = await bootGatehouse({ config, logger, env });
  installGracefulShutdown({
    close: () => gatehouse.close(),
    timeoutMs: config.shutdownTimeout,
    logger,
    exit: (code) => process.exit(code),
  });
  const address = await gatehouse.app.listen({ host: config.host, port: config.port });
  logger.info(
    { address, store: gatehouse.store.backend, startupMs: Math.round(performance.now() - startedAt) },
    'Gatehouse is listening',
  );
}

if (import.meta.main) {
  const { runCli } = await import('./cli-commands.ts');
  await runCli(['start'], process.env);
}
