// The roles the command line starts: one process (`serve`), the engine alone (`engine`), a
// gateway alone (`gateway`), or the engine with N gateway processes on this machine
// (`serve --workers N`, node:cluster).

import cluster from 'node:cluster';
import type { EngineAddress } from '../gateway/engine-link.js';
import { startGateway } from '../gateway/gateway.js';
import { answerMetricsAsks } from '../metrics/cluster-metrics.js';
import { MetricsHub } from '../metrics/metrics-hub.js';
import { runEngineRole, type EngineOptions } from './engine-role.js';
import { gatewayProcesses } from './gateway-processes.js';
import { createLogger } from './log.js';
import { stopOnSignals } from './signals.js';

export type { EngineOptions } from './engine-role.js';

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

export interface ServeOptions extends ListenOptions, EngineOptions {
  workers: number;
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
