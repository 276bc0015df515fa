// Running the exchange from the command line: one process (`serve`), the engine alone
// (`engine`), a gateway alone (`gateway`), or the engine with N gateway processes on this
// machine (`serve --workers N`, node:cluster). Every role stops gracefully on SIGTERM or
// SIGINT: it stops accepting, answers what it read, and exits 0.

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { createLogger } from '../log.js';
import {
  startExchangeServer,
  type ExchangeServerOptions,
  type RunningExchange,
} from '../server/exchange-server.js';
import { startGateway } from '../server/gateway.js';
import { openStore } from '../store/open-store.js';
import { answerMetricsAsks } from '../metrics/cluster-metrics.js';
import { MetricsHub } from '../metrics/metrics-hub.js';
import type { SyncMode } from '../store/sqlite-store.js';

export interface ListenOptions {
  host: string;
  port: number | 'off';
  framedPort: number | 'off';
  maxRequestBytes: number;
  requestTimeout: number;
  idleTimeout: number;
  writeTimeout: number;
  maxConnections: number;
  logLevel: string;
}

export interface EngineOptions {
  httpPort: number | 'off';
  httpHost: string;
  apiToken?: string;
  db: string;
  sync: SyncMode;
  historyCache: number;
  maxPending: number;
  logLevel: string;
}

export interface ServeOptions extends ListenOptions, EngineOptions {
  workers: number;
}

/** Stops gracefully on the first SIGTERM/SIGINT, exits at once on a second. */
function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
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

const listenerPorts = (opts: ListenOptions) => {
  if (opts.port === 'off' && opts.framedPort === 'off') {
    throw new Error('both listeners are off: turn on --port or --framed-port');
  }
  return {
    host: opts.host,
    port: opts.port === 'off' ? null : opts.port,
    framedPort: opts.framedPort === 'off' ? null : opts.framedPort,
    maxRequestBytes: opts.maxRequestBytes,
    requestTimeoutMs: opts.requestTimeout * 1000,
    idleTimeoutMs: opts.idleTimeout * 1000,
    writeTimeoutMs: opts.writeTimeout * 1000,
    maxConnections: opts.maxConnections,
  };
};

function startEngine(
  opts: EngineOptions,
  log: Logger,
  extra: Partial<ExchangeServerOptions>,
): Promise<RunningExchange> {
  if (opts.apiToken === '') throw new Error('--api-token must not be empty');
  return startExchangeServer({
    http:
      opts.httpPort === 'off'
        ? undefined
        : { host: opts.httpHost, port: opts.httpPort, apiToken: opts.apiToken },
    metricsHub: new MetricsHub({ processMetrics: true, gateways: cluster.isPrimary }),
    store: openStore(opts.db, { sync: opts.sync }),
    log,
    historyCache: opts.historyCache,
    maxPending: opts.maxPending,
    onStoreFailure: () => process.exit(1),
    port: null,
    framedPort: null,
    ...extra,
  });
}

/** `exchange serve`: everything in one process, or with --workers, gateways in front. */
export async function serve(opts: ServeOptions): Promise<void> {
  if (cluster.isWorker) return serveAsWorker(opts);
  const ports = listenerPorts(opts);
  const log = createLogger(opts.logLevel);
  if (opts.workers === 0) {
    const server = await startEngine(opts, log, ports);
    stopOnSignals(log, () => server.stop());
    return;
  }
  // The engine links its gateways on loopback; the gateways share the client ports. With
  // SCHED_NONE each worker accepts on the shared socket itself: the default round robin
  // would accept every connection here, in the engine's process, and pass it on.
  const engine = await startEngine(opts, log, { link: { host: '127.0.0.1', port: 0 } });
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const env = { EXCHANGE_ENGINE_PORT: String(engine.linkPort) };
  let stopping = false;
  const listening = new Map<number, { port: number | null; framedPort: number | null }>();
  const fork = (): Worker => {
    const worker = cluster.fork(env);
    worker.on('message', (m: { msg?: string; port: number | null; framedPort: number | null }) => {
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
    });
    worker.on('exit', (code, signal) => {
      const wasListening = listening.delete(worker.id);
      if (stopping) return;
      if (!wasListening) {
        // It never started (a port in use, say): another would fail the same way.
        log.fatal({ worker: worker.process.pid, code }, 'a gateway failed to start: stopping');
        void shutdown(1);
        return;
      }
      log.error({ worker: worker.process.pid, code, signal }, 'gateway exited: starting another');
      setTimeout(fork, 500);
    });
    return worker;
  };
  const stopAll = async (): Promise<void> => {
    stopping = true;
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
    await engine.stop();
  };
  const shutdown = (code: number): Promise<never> =>
    stopAll().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  for (let i = 0; i < opts.workers; i++) fork();
  stopOnSignals(log, stopAll);
}

async function serveAsWorker(opts: ServeOptions): Promise<void> {
  const log = createLogger(opts.logLevel);
  // The engine's process adds this gateway's figures to its own /metrics and stats.
  const metrics = new MetricsHub({ processMetrics: true });
  answerMetricsAsks(metrics.registry);
  const gateway = await startGateway({
    ...listenerPorts(opts),
    metrics: metrics.listeners,
    log,
    engineHost: '127.0.0.1',
    enginePort: Number(process.env.EXCHANGE_ENGINE_PORT),
  });
  process.send?.({ msg: 'listening', port: gateway.port, framedPort: gateway.framedPort });
  stopOnSignals(log, () => gateway.stop());
}

/** `exchange engine`: the engine and the store, serving gateways on a link port. */
export async function runEngine(
  opts: EngineOptions & { listen: { host: string; port: number } },
): Promise<void> {
  const log = createLogger(opts.logLevel);
  const engine = await startEngine(opts, log, { link: opts.listen });
  stopOnSignals(log, () => engine.stop());
}

/** `exchange gateway`: client listeners in front of an engine's link. */
export async function runGateway(
  opts: ListenOptions & { engine: { host: string; port: number } },
): Promise<void> {
  const log = createLogger(opts.logLevel);
  const gateway = await startGateway({
    ...listenerPorts(opts),
    log,
    engineHost: opts.engine.host,
    enginePort: opts.engine.port,
  });
  stopOnSignals(log, () => gateway.stop());
}
