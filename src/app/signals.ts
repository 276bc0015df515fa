// Every role stops gracefully on SIGTERM or SIGINT: it stops accepting, answers what it
// read, and exits 0; a second signal exits at once.

import type { Logger } from 'pino';

/** Stops gracefully on the first SIGTERM/SIGINT, exits at once on a second. */
export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    log.info({ signal }, 'stopping: finishing requests in flight');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
