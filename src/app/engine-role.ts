// The engine's role for as long as its process runs: lead the store (or wait to lead it as
// a standby), and when deposed, close the ports and wait again. What serves beside it
// (gateway processes) lives and dies with its leadership.

import { NO_FEES, feeScheduleProblem, feesOn, type FeeSchedule } from '../engine/fees.js';
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { MetricsHub } from '../metrics/metrics-hub.js';
import type { LeadershipMode } from '../store/leadership.js';
import { openStore } from '../store/open-store.js';
import type { SyncMode } from '../store/sqlite-store.js';
import {
  startExchangeServer,
  type ExchangeServerOptions,
  type RunningExchange,
} from './exchange-server.js';
import { stopOnSignals } from './signals.js';

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
  /** Fee rates at FEE_SCALE (0: none) and the account fees go to. */
  makerFee?: bigint;
  takerFee?: bigint;
  feeAccount?: string;
}

/** The fee schedule the options give, or why they cannot be used. */
export function feeSchedule(opts: EngineOptions): FeeSchedule {
  const fees = {
    maker: opts.makerFee ?? 0n,
    taker: opts.takerFee ?? 0n,
    account: opts.feeAccount ?? '',
  };
  const problem = feeScheduleProblem(fees);
  if (problem !== null) throw new Error(`${problem} (--maker-fee, --taker-fee, --fee-account)`);
  return feesOn(fees) ? fees : NO_FEES;
}

/** One incarnation of the engine: it leads the store, or as a standby waits to lead it. */
async function startEngine(
  opts: EngineOptions,
  log: Logger,
  extra: Partial<ExchangeServerOptions>,
  mode: LeadershipMode,
): Promise<RunningExchange> {
  if (opts.apiToken === '') throw new Error('--api-token must not be empty');
  const fees = feeSchedule(opts);
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
    fees,
    onStoreFailure: () => process.exit(1),
    port: null,
    framedPort: null,
    ...extra,
  });
  if (store.epoch != null) log.info({ epoch: store.epoch }, 'leading');
  return server;
}

/** What serves beside the engine and lives and dies with its leadership (gateway processes). */
export interface Companions {
  start(engine: RunningExchange): void;
  stop(): Promise<void>;
}

/**
 * The engine for as long as the process runs. It leads (or, with --standby, waits to lead);
 * when another engine takes the store over while this one was cut off from it, it closes
 * its ports and waits as a standby again. A signal stops whatever stage it is in.
 */
export async function runEngineRole(
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
