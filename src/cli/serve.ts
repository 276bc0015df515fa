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
import type { EngineAddress } from '../link/engine-link.js';
import type { LeadershipMode } from '../store/leadership.js';
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
  /** Wait for leadership of a shared (PostgreSQL) store instead of refusing to start. */
  standby: boolean;
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

/** One incarnation of the engine: it leads the store, or as a standby waits to lead it. */
async function startEngine(
  opts: EngineOptions,
  log: Logger,
  extra: Partial<ExchangeServerOptions>,
  mode: LeadershipMode,
): Promise<RunningExchange> {
  if (opts.apiToken === '') throw new Error('--api-token must not be empty');
  const store = openStore(opts.db, {
    sync: opts.sync,
    mode,
    onWaiting: (leader) =>
      log.info({ leader }, 'standby: another engine leads; waiting to take over'),
    onRetrying: (error) => log.warn({ error }, 'standby: cannot look at the leadership; retrying'),
  });
  if (mode === 'standby') log.info({ store: store.description }, 'standby: waiting for leadership');
  const server = await startExchangeServer({
    http:
      opts.httpPort === 'off'
        ? undefined
        : { host: opts.httpHost, port: opts.httpPort, apiToken: opts.apiToken },
    metricsHub: new MetricsHub({ processMetrics: true, gateways: cluster.isPrimary }),
    store,
    log,
    historyCache: opts.historyCache,
    maxPending: opts.maxPending,
    onStoreFailure: () => process.exit(1),
    port: null,
    framedPort: null,
    ...extra,
  });
  if (store.epoch != null) log.info({ epoch: store.epoch }, 'leading');
  return server;
}

/** What serves beside the engine and lives and dies with its leadership (gateway processes). */
interface Companions {
  start(engine: RunningExchange): void;
  stop(): Promise<void>;
}

/**
 * The engine for as long as the process runs. It leads (or, with --standby, waits to lead);
 * when another engine takes the store over while this one was cut off from it, it closes
 * its ports and waits as a standby again. A signal stops whatever stage it is in.
 */
async function runEngineRole(
  opts: EngineOptions,
  log: Logger,
  extra: Partial<ExchangeServerOptions>,
  companions?: Companions,
): Promise<void> {
  let current: RunningExchange | null = null;
  stopOnSignals(log, async () => {
    await companions?.stop();
    await current?.stop();
  });
  for (let mode: LeadershipMode = opts.standby ? 'standby' : 'lead'; ; mode = 'standby') {
    current = await startEngine(opts, log, extra, mode);
    companions?.start(current);
    await current.deposed;
    await companions?.stop();
    const deposed = current;
    current = null;
    await deposed.stop();
  }
}

/** `exchange serve`: everything in one process, or with --workers, gateways in front. */
export async function serve(opts: ServeOptions): Promise<void> {
  if (cluster.isWorker) return serveAsWorker(opts);
  const ports = listenerPorts(opts);
  const log = createLogger(opts.logLevel);
  if (opts.workers === 0) return runEngineRole(opts, log, ports);
  // The engine links its gateways on loopback; the gateways share the client ports. With
  // SCHED_NONE each worker accepts on the shared socket itself: the default round robin
  // would accept every connection here, in the engine's process, and pass it on.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const gateways = gatewayProcesses(opts, log);
  return runEngineRole(opts, log, { link: { host: '127.0.0.1', port: 0 } }, gateways);
}

/** `serve --workers N`'s gateway processes, forked while the engine leads. */
function gatewayProcesses(opts: ServeOptions, log: Logger): Companions {
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

async function serveAsWorker(opts: ServeOptions): Promise<void> {
  const log = createLogger(opts.logLevel);
  // The engine's process adds this gateway's figures to its own /metrics and stats.
  const metrics = new MetricsHub({ processMetrics: true });
  answerMetricsAsks(() => metrics.ownMetrics());
  const gateway = await startGateway({
    ...listenerPorts(opts),
    metrics: metrics.listeners,
    log,
    engines: [{ host: '127.0.0.1', port: Number(process.env.EXCHANGE_ENGINE_PORT) }],
  });
  process.send?.({ msg: 'listening', port: gateway.port, framedPort: gateway.framedPort });
  stopOnSignals(log, () => gateway.stop());
}

/** `exchange engine`: the engine and the store, serving gateways on a link port. */
export function runEngine(
  opts: EngineOptions & { listen: { host: string; port: number } },
): Promise<void> {
  return runEngineRole(opts, createLogger(opts.logLevel), { link: opts.listen });
}

/** `exchange gateway`: client listeners in front of whichever engine leads. */
export async function runGateway(opts: ListenOptions & { engine: EngineAddress[] }): Promise<void> {
  const log = createLogger(opts.logLevel);
  const gateway = await startGateway({
    ...listenerPorts(opts),
    log,
    engines: opts.engine,
  });
  stopOnSignals(log, () => gateway.stop());
}
