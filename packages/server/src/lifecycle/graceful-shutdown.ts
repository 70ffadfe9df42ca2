import type { Logger } from 'pino';

export interface ShutdownOptions {
  readonly close: () => Promise<void>;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly exit: (code: number) => void;
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish, close the store, exit 0.
 * If that takes longer than the timeout, exit 1 anyway. A second signal is ignored while stopping.
 */
export function installGracefulShutdown(options: ShutdownOptions): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out; exiting');
      options.exit(1);
    }, options.timeoutMs);
    timer.unref();
    options.close().then(
      () => {
        clearTimeout(timer);
        options.logger.info('stopped');
        options.exit(0);
      },
      (error: unknown) => {
        options.logger.error({ err: error }, 'shutdown failed');
        options.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
