// `serve --workers N`: N gateway processes on this machine (node:cluster), sharing the client
// ports, forked while the engine leads and replaced when one dies.

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Companions } from './engine-role.js';
import type { RunningExchange } from './exchange-server.js';

/** `serve --workers N`'s gateway processes, forked while the engine leads. */
export function gatewayProcesses(opts: { workers: number; host: string }, log: Logger): Companions {
  let stopping = true;
  /** Counts starts: a replacement scheduled under one leadership is not forked under the next. */
  let generation = 0;
  const listening = new Map<number, { port: number | null; framedPort: number | null }>();
  const stop = async (): Promise<void> => {
    stopping = true;
    generation++;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.process.kill('SIGTERM');
          }),
      ),
    );
  };
  const start = (engine: RunningExchange): void => {
    stopping = false;
    const mine = ++generation;
    const env = { EXCHANGE_ENGINE_PORT: String(engine.linkPort) };
    const fork = (): Worker => {
      const worker = cluster.fork(env);
      worker.on(
        'message',
        (m: { msg?: string; port: number | null; framedPort: number | null }) => {
          if (m.msg !== 'listening') return;
          listening.set(worker.id, m);
          if (listening.size === opts.workers) {
            const http = engine.httpPort === null ? {} : { httpPort: engine.httpPort };
            log.info(
              {
                host: opts.host,
                port: m.port,
                framedPort: m.framedPort,
                ...http,
                workers: opts.workers,
              },
              'listening',
            );
          }
        },
      );
      worker.on('exit', (code, signal) => {
        const wasListening = listening.delete(worker.id);
        if (stopping) return;
        if (!wasListening) {
          // It never started (a port in use, say): another would fail the same way.
          log.fatal({ worker: worker.process.pid, code }, 'a gateway failed to start: stopping');
          void stop()
            .then(() => engine.stop())
            .then(
              () => process.exit(1),
              () => process.exit(1),
            );
          return;
        }
        log.error({ worker: worker.process.pid, code, signal }, 'gateway exited: starting another');
        setTimeout(() => {
          if (generation === mine) fork();
        }, 500);
      });
      return worker;
    };
    for (let i = 0; i < opts.workers; i++) fork();
  };
  return { start, stop };
}
