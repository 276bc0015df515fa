// Wiring: load the store, rebuild the engine, start the sequencer and the listeners.
// `stop` is the graceful path: stop accepting, answer and commit what was read, close.

import type { Logger } from 'pino';
import type { Request, Result } from '../engine/commands.js';
import { Exchange } from '../engine/exchange.js';
import { LEASE_MS } from '../store/leadership.js';
import { Fenced, type StoreFailure } from '../errors/failures.js';
import type { Store } from '../store/store.js';
import { startLinkServer, type LinkServer } from '../link/link-server.js';
import { startListeners, type ListenerOptions } from './listeners.js';
import { Sequencer } from './sequencer.js';
import { startHttpServer, type HttpOptions, type HttpServer } from '../http/http-server.js';
import { MarketFeed } from '../market/market-feed.js';
import { EngineMetrics } from '../metrics/engine-metrics.js';
import { MetricsHub } from '../metrics/metrics-hub.js';
import { StatsSampler } from '../metrics/stats-sampler.js';

export interface ExchangeServerOptions extends ListenerOptions {
  readonly store: Store;
  readonly log: Logger;
  /** Where gateways link to this engine (port 0 picks a free one); none when absent. */
  readonly link?: { readonly host: string; readonly port: number };
  /** Closed orders kept in memory; queries of older ones are answered from the store. */
  readonly historyCache?: number;
  /** Requests waiting to be durable beyond which new ones get OVERLOADED. */
  readonly maxPending?: number;
  /** Seconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
  /** Called if the store fails: the process should exit (the engine is ahead of the store). */
  readonly onStoreFailure?: (failure: StoreFailure) => void;
  /** The JSON API, WebSocket feed, metrics and dashboard; none when absent. */
  readonly http?: HttpOptions;
  /** This process's metrics (the CLI adds process metrics and gateways'); a fresh one if absent. */
  readonly metricsHub?: MetricsHub;
}

export interface RunningExchange {
  /** The engine in charge now (a store recovery replaces it). */
  readonly engine: Exchange;
  readonly sequencer: Sequencer;
  /** Bound classic port, or null when off. */
  readonly port: number | null;
  /** Bound framed port, or null when off. */
  readonly framedPort: number | null;
  /** Bound gateway link port, or null when there is no link. */
  readonly linkPort: number | null;
  /** Bound HTTP port, or null when off. */
  readonly httpPort: number | null;
  readonly metrics: MetricsHub;
  readonly market: MarketFeed;
  /**
   * Settles when another engine has taken the store over while this one was cut off from
   * it: this one refuses every request and should `stop` and wait as a standby.
   */
  readonly deposed: Promise<void>;
  stop(): Promise<void>;
}

/** Executions read at start for the trade tape (it keeps up to 1,000 per symbol). */
const TAPE_SEED = 10_000;

const wallClock = (): number => Math.floor(Date.now() / 1000);

export async function startExchangeServer(
  options: ExchangeServerOptions,
): Promise<RunningExchange> {
  const { store, log } = options;
  const started = Date.now();
  // The snapshot is not kept: as large as the book again, it is garbage once restored.
  const engine = Exchange.restore(await store.load());
  log.info(
    {
      store: store.description,
      ...(store.epoch == null ? {} : { epoch: store.epoch }),
      accounts: engine.accounts.size,
      openOrders: engine.orders.size,
      ms: Date.now() - started,
    },
    'state loaded',
  );

  const sequencer = new Sequencer(
    engine,
    store,
    options.clock ?? wallClock,
    (failure, recoverable) => {
      if (recoverable) {
        log.error({ err: failure }, 'store failed: answering errors and reconnecting');
      } else if (failure.cause instanceof Fenced) {
        log.fatal(
          { err: failure.cause },
          'fenced: another engine leads the store now; stopping without replying to the refused batch',
        );
        options.onStoreFailure?.(failure);
      } else {
        log.fatal({ err: failure }, 'store failed; no reply of the batch was sent');
        options.onStoreFailure?.(failure);
      }
    },
    options.historyCache,
    options.maxPending,
  );
  // Before anything awaits: a recovery can end in deposition at any time from here on.
  const deposed = new Promise<void>((resolve) => {
    sequencer.onDeposed = (reason) => {
      log.warn({ reason: reason.message }, 'deposed: another engine leads the store now');
      resolve();
    };
  });
  const metrics = options.metricsHub ?? new MetricsHub();
  const market = new MarketFeed();
  // The tape starts from the newest trades in the store, before any new one can arrive: a
  // restart keeps the recent past, in order.
  if (options.http !== undefined) market.tape.record(await store.recentExecutions(TAPE_SEED));
  sequencer.observers.push(market, new EngineMetrics(metrics.registry, sequencer));
  const submit = (request: Request): Promise<Result[]> => sequencer.submit(request);
  const listeners = await startListeners(submit, { ...options, metrics: metrics.listeners });
  const { host, port, framedPort } = listeners;
  let link: LinkServer | null = null;
  let http: HttpServer | null = null;
  try {
    if (options.link !== undefined) {
      const healthy = (): boolean => sequencer.failedForMs < LEASE_MS;
      link = await startLinkServer(submit, { ...options.link, log, healthy });
    }
    if (options.http !== undefined) {
      const sampler = new StatsSampler(metrics);
      http = await startHttpServer(options.http, {
        api: { sequencer, store, market, submit, stats: () => sampler.latest() },
        market,
        metrics,
        sampler,
        log,
      });
    }
  } catch (error) {
    await listeners.drain();
    await listeners.close();
    await link?.close();
    throw error;
  }
  const linkPort = link?.port ?? null;
  const httpPort = http?.port ?? null;
  log.info(
    {
      host,
      port,
      framedPort,
      ...(link === null ? {} : { linkPort }),
      ...(http === null ? {} : { httpHost: options.http?.host, httpPort }),
    },
    'listening',
  );

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await http?.close();
      await listeners.drain();
      await sequencer.idle();
      // The link's last answers leave in the turn after they settle.
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([listeners.close(), link?.close()]);
      sequencer.close();
      await store.close();
      log.info(sequencer.stats, 'stopped');
    })();
    return stopping;
  };

  sequencer.onRecoveryFailed = (error, retryInMs) =>
    log.warn({ err: error, retryInMs }, 'store still unavailable');
  sequencer.onRecovered = (ms) => {
    log.warn(
      { ms: Math.round(ms), ...(store.epoch == null ? {} : { epoch: store.epoch }) },
      'store is back: state reloaded, serving',
    );
    // A batch whose commit outcome was lost may be in the store after all: the rebuilt
    // books and the store say, so the feed starts over from them.
    if (options.http === undefined) return;
    store.recentExecutions(TAPE_SEED).then(
      (executions) => market.restart(executions),
      (error: unknown) => log.error({ err: error }, 'could not reload the trade tape'),
    );
  };
  return {
    get engine() {
      return sequencer.currentEngine;
    },
    sequencer,
    port,
    framedPort,
    linkPort,
    httpPort,
    metrics,
    market,
    deposed,
    stop,
  };
}
