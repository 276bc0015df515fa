// The engine's process, assembled: load the store, rebuild the engine, start the sequencer,
// then the front ends (client listeners, gateway link, HTTP side). `stop` is the graceful
// path: stop accepting, answer and commit what was read, close.

import type { FeeSchedule } from '../engine/fees.js';
import type { Logger } from 'pino';
import type { Request, Result } from '../engine/commands.js';
import { AdaptiveExchange, type MatchingEngine } from '../engine/adaptive-exchange.js';
import type { StoreFailure } from '../errors/failures.js';
import type { Store } from '../store/store.js';
import type { ListenerOptions } from '../server/listeners.js';
import { Sequencer } from '../sequencer/sequencer.js';
import type { HttpOptions } from '../http/http-server.js';
import { MarketFeed } from '../market/market-feed.js';
import { EngineMetrics } from '../metrics/engine-metrics.js';
import { MetricsHub } from '../metrics/metrics-hub.js';
import { EngineEvents, TAPE_SEED } from './engine-events.js';
import { startFrontEnds } from './front-ends.js';
import { releaseRestoreMemory } from './restore-memory.js';

export interface ExchangeServerOptions extends ListenerOptions {
  readonly store: Store;
  readonly log: Logger;
  /** Where gateways link to this engine (port 0 picks a free one); none when absent. */
  readonly link?: { readonly host: string; readonly port: number };
  /** Closed orders kept in memory; queries of older ones are answered from the store. */
  readonly historyCache?: number;
  /** Requests waiting to be durable beyond which new ones get OVERLOADED. */
  readonly maxPending?: number;
  /** Maker and taker fees; none when absent. */
  readonly fees?: FeeSchedule;
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
  readonly engine: MatchingEngine;
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

const wallClock = (): number => Math.floor(Date.now() / 1000);

/** The engine as the store holds it. The snapshot is not kept: as large as the book again. */
async function loadEngine(store: Store, log: Logger, fees?: FeeSchedule): Promise<MatchingEngine> {
  const started = Date.now();
  const engine = AdaptiveExchange.restore(await store.load(), { fees });
  const restored = Date.now();
  const released = await releaseRestoreMemory();
  log.info(
    {
      store: store.description,
      ...(store.epoch == null ? {} : { epoch: store.epoch }),
      accounts: engine.accountCount,
      openOrders: engine.orderCount,
      ms: Date.now() - started,
      ...(released ? { releaseMs: Date.now() - restored } : {}),
    },
    'state loaded',
  );
  return engine;
}

export async function startExchangeServer(
  options: ExchangeServerOptions,
): Promise<RunningExchange> {
  const { store, log } = options;
  const engine = await loadEngine(store, log, options.fees);
  const market = new MarketFeed();
  // The tape starts from the newest trades in the store, before any new one can arrive: a
  // restart keeps the recent past, in order.
  if (options.http !== undefined) market.tape.record(await store.recentExecutions(TAPE_SEED));
  const events = new EngineEvents({
    log,
    store,
    market: options.http === undefined ? null : market,
    onStoreFailure: options.onStoreFailure,
  });
  const sequencer = new Sequencer({
    engine,
    store,
    clock: options.clock ?? wallClock,
    events,
    historyCache: options.historyCache,
    maxPending: options.maxPending,
  });
  const metrics = options.metricsHub ?? new MetricsHub();
  const engineMetrics = new EngineMetrics(metrics.registry, sequencer);
  sequencer.observers.push(market, engineMetrics);
  store.observeWrites?.((seconds, batches) => engineMetrics.storeWrote(seconds, batches));
  const submit = (request: Request): Promise<Result[]> => sequencer.submit(request);
  const frontEnds = await startFrontEnds({ ...options, sequencer, submit, market, hub: metrics });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await frontEnds.stopAccepting();
      await sequencer.idle();
      // The link's last answers leave in the turn after they settle.
      await new Promise((resolve) => setImmediate(resolve));
      await frontEnds.close();
      sequencer.close();
      await store.close();
      log.info(sequencer.stats, 'stopped');
    })();
    return stopping;
  };
  return {
    get engine() {
      return sequencer.currentEngine;
    },
    sequencer,
    ...frontEnds.ports,
    metrics,
    market,
    deposed: events.deposition,
    stop,
  };
}
