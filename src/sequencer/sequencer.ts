// The single writer. Requests are applied to the engine one at a time in arrival order, as
// soon as the event loop gets to them: all requests read in one loop turn form a batch, and
// the batch's changes go to the store at once, without waiting for earlier batches to be
// durable (the store keeps them in order and merges whatever queues up into one
// transaction: group commit). A result is released only after the commit that holds its
// batch, and commits become durable in order, so no reply (not even a query's) ever shows
// state that could still be lost.

import type { Request, Result } from '../engine/commands.js';
import { isEmptyChangeSet } from '../engine/changes.js';
import { answerArchived, archiveUnavailable } from '../engine/archive.js';
import { AdaptiveExchange, type MatchingEngine } from '../engine/adaptive-exchange.js';
import type { ExchangeView } from '../engine/exchange-view.js';
import {
  CommitOutcomeUnknown,
  Fenced,
  NotLeader,
  OutcomeUnknown,
  Overloaded,
  StoreFailure,
} from '../errors/failures.js';
import type { Store } from '../store/store.js';
import type { BatchObserver, SequencerStats } from '../engine/batch-observer.js';

export type { BatchObserver, DurableBatch, SequencerStats } from '../engine/batch-observer.js';

interface Pending {
  readonly request: Request;
  readonly resolve: (results: Result[]) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Closed orders the engine keeps in memory by default. Each one kept costs the engine
 * throughput (it survives into the old generation, which the garbage collector pays for:
 * mixed flow ~690k commands/s with 0 kept, ~625k with 1,000, ~450k with 10,000), and each
 * one evicted costs a store read when queried; recent orders are the ones clients query.
 */
export const DEFAULT_HISTORY_CACHE = 1_000;

/**
 * Requests applied or queued but not yet durable beyond which new ones are refused
 * (OVERLOADED) instead of queued: when the store falls behind, memory and latency stay
 * bounded and clients learn at once that they should back off.
 */
export const DEFAULT_MAX_PENDING = 100_000;

/** What the sequencer tells its owner of the store's failures and recoveries. */
export interface SequencerEvents {
  /**
   * A commit failed. With a store that can reset, the sequencer then recovers by itself;
   * otherwise the engine is ahead of the store for good and the process must stop.
   */
  failed(failure: StoreFailure, recoverable: boolean): void;
  /** The store is back and serving again, after `ms` of recovery. */
  recovered(ms: number): void;
  /** An attempt to recover failed; the next one starts in `retryInMs`. */
  recoveryFailed(error: unknown, retryInMs: number): void;
  /**
   * Recovery found that another engine leads the store now: this one stays failed (every
   * request is refused as not executed) and should stop serving.
   */
  deposed(reason: NotLeader): void;
}

export interface SequencerOptions {
  readonly engine: MatchingEngine;
  readonly store: Store;
  /** Seconds since the epoch. */
  readonly clock: () => number;
  readonly events: SequencerEvents;
  /** Closed orders kept in memory; older ones are answered from the store. */
  readonly historyCache?: number | undefined;
  /** Requests waiting to be durable beyond which new ones get OVERLOADED. */
  readonly maxPending?: number | undefined;
}

export class Sequencer {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Batches handed to the store and not yet durable. */
  private inFlight = 0;
  /** Requests in those batches. */
  private awaitingDurable = 0;
  /** Settles when the newest batch handed to the store is durable. */
  private lastCommit: Promise<void> = Promise.resolve();
  private failure: StoreFailure | null = null;
  /** performance.now() when the current failure began. */
  private failedAt = 0;
  private lastTime = 0;
  private idleWaiters: (() => void)[] = [];
  /** Set by `close`: a recovery still retrying gives up. */
  private closed = false;
  private wakeRecovery: (() => void) | null = null;
  readonly stats: SequencerStats = {
    batches: 0,
    requests: 0,
    largestBatch: 0,
    commitMs: 0,
    shed: 0,
  };

  private engine: MatchingEngine;
  private readonly store: Store;
  private readonly clock: () => number;
  private readonly events: SequencerEvents;
  private readonly historyCache: number;
  private readonly maxPending: number;

  constructor(options: SequencerOptions) {
    this.engine = options.engine;
    this.store = options.store;
    this.clock = options.clock;
    this.events = options.events;
    this.historyCache = options.historyCache ?? DEFAULT_HISTORY_CACHE;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    // A connection lost while idle starts the recovery now, not at the next request.
    this.store.watch?.((error) => this.fail([], error));
  }

  /** How long the store has been failed (0 while it serves). */
  get failedForMs(): number {
    return this.failure === null ? 0 : performance.now() - this.failedAt;
  }

  /** The engine in charge now (recovery replaces it with one rebuilt from the store). */
  get currentEngine(): MatchingEngine {
    return this.engine;
  }

  /** Told of each durable batch (market data, metrics); they must not throw or be slow. */
  readonly observers: BatchObserver[] = [];

  /**
   * Reads the engine now, between batches, and resolves with what `view` returned once
   * everything it could have seen is durable: a read shows nothing that could still be lost.
   */
  async read<T>(view: (engine: ExchangeView) => T): Promise<T> {
    if (this.failure !== null) throw this.failure;
    const value = view(this.engine);
    await this.lastCommit.catch((error: unknown) => {
      throw this.failure ?? StoreFailure.causedBy(error);
    });
    return value;
  }

  submit(request: Request): Promise<Result[]> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) {
        reject(this.failure);
        return;
      }
      if (this.queue.length + this.awaitingDurable >= this.maxPending) {
        this.stats.shed++;
        reject(new Overloaded());
        return;
      }
      this.queue.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after the socket reads of this loop turn: one apply pass each.
        setImmediate(() => this.applyQueued());
      }
    });
  }

  /**
   * The server is stopping: a recovery still retrying stops (the store is about to close, and
   * reconnecting it would take the leadership again for nobody).
   */
  close(): void {
    this.closed = true;
    this.wakeRecovery?.();
  }

  /** Resolves when nothing is queued or waiting to be durable. */
  idle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get isIdle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0 && !this.scheduled;
  }

  private applyQueued(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.failure !== null) {
      for (const p of batch) p.reject(this.failure);
      return this.settleIdle();
    }
    // Time never runs backwards inside the exchange, whatever the wall clock does.
    const now = Math.max(this.lastTime, this.clock());
    this.lastTime = now;
    // Plain loops and one pair of callbacks: at a few requests a batch, as under a connection
    // per request, what a batch allocates is a good part of what each request does.
    const outcomes = new Array<Result[] | Error>(batch.length);
    for (let i = 0; i < batch.length; i++) outcomes[i] = this.applyOne(batch[i]!.request, now);
    const engine = this.engine;
    const batchNumber = engine.currentBatch;
    const changes = engine.takeChanges();
    const events = engine.takeEvents();
    this.stats.batches++;
    this.stats.requests += batch.length;
    if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length;

    // A batch of reads has nothing to write, but what it read must be durable first.
    const started = performance.now();
    const lastCommit = this.lastCommit;
    const durable = isEmptyChangeSet(changes) ? lastCommit : this.store.commit(changes);
    this.lastCommit = durable;
    this.inFlight++;
    this.awaitingDurable += batch.length;
    const answered = (): void => {
      this.inFlight--;
      this.awaitingDurable -= batch.length;
      release(batch, outcomes);
      this.settleIdle();
    };
    const failed = (error: unknown): void => {
      this.inFlight--;
      this.awaitingDurable -= batch.length;
      // Only a batch that wrote something can have been written.
      this.fail(batch, error, error instanceof CommitOutcomeUnknown && durable !== lastCommit);
    };
    durable.then(() => {
      let archived: boolean;
      try {
        const commitMs = performance.now() - started;
        this.stats.commitMs += commitMs;
        if (this.observers.length > 0) {
          const durable = { changes, events, engine, requests: batch.length, commitMs };
          for (const observer of this.observers) observer.batchDurable(durable);
        }
        // Orders closed in this batch are in the store now: memory may let them go.
        engine.evictClosed(batchNumber, this.historyCache);
        archived = hasArchived(outcomes);
      } catch (error) {
        failed(error);
        return;
      }
      // Queries of orders no longer in memory wait for the store's answers.
      if (archived) this.answerArchived(outcomes).then(answered, failed);
      else answered();
    }, failed);
  }

  /**
   * Replaces each `archived` result with the answer from the store, in place. It runs after
   * the batch is durable, so a failed read refuses only its own child: the rest of the batch
   * (orders already committed among them) is answered as done.
   */
  private async answerArchived(outcomes: (Result[] | Error)[]): Promise<void> {
    const lookups: Promise<void>[] = [];
    for (const results of outcomes) {
      if (results instanceof Error) continue;
      results.forEach((result, i) => {
        if (result.kind !== 'archived') return;
        lookups.push(
          this.store.loadOrder(result.orderId).then(
            (order) => {
              results[i] = answerArchived(result, order);
            },
            () => {
              results[i] = archiveUnavailable(result);
            },
          ),
        );
      });
    }
    await Promise.all(lookups);
  }

  private applyOne(request: Request, now: number): Result[] | Error {
    try {
      return this.engine.apply(request, now);
    } catch (error) {
      // A bug, not a refusal: that request is answered with an internal error and logged
      // by whoever awaits it; the other requests go on.
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * The engine is now ahead of the store: nothing more is answered from it. Every request not
   * yet answered gets an error (none was acknowledged; those whose commit may have landed are
   * told their outcome is unknown), and with a store that can reset, the engine is rebuilt
   * from what the store holds once it is reachable again.
   */
  private fail(batch: readonly Pending[], error: unknown, outcomeUnknown = false): void {
    const first = this.failure === null;
    if (first) this.failedAt = performance.now();
    this.failure ??= StoreFailure.causedBy(error);
    // A commit that may be durable: "not executed" would be a lie, "done" too.
    const refusal = outcomeUnknown ? new OutcomeUnknown() : this.failure;
    for (const p of batch) p.reject(refusal);
    for (const p of this.queue) p.reject(this.failure);
    this.queue = [];
    this.settleIdle();
    if (!first) return;
    // A fenced engine was deposed while it could not tell: it must not even reconnect.
    const recoverable = !(error instanceof Fenced) && this.store.reset !== undefined;
    this.events.failed(this.failure, recoverable);
    if (recoverable) void this.recover();
  }

  private async recover(): Promise<void> {
    const started = performance.now();
    let delayMs = 100;
    // Every batch handed over before the failure settles (fails) first.
    await this.lastCommit.catch(() => {});
    while (!this.closed) {
      try {
        await this.store.reset!();
        if (this.closed) return;
        const snapshot = await this.store.load();
        if (this.closed) return;
        // A commit whose outcome was lost with the connection is in the snapshot or not:
        // either way the rebuilt engine agrees with the store, so nothing is doubled or lost.
        const recording = this.engine.recordingBookEvents;
        this.engine = AdaptiveExchange.restore(snapshot, {
          ...this.engine.options,
          bookEvents: recording,
        });
        this.lastCommit = Promise.resolve();
        this.failure = null;
        this.events.recovered(performance.now() - started);
        return;
      } catch (error) {
        if (error instanceof NotLeader) {
          this.events.deposed(error);
          return;
        }
        if (this.closed) return;
        this.events.recoveryFailed(error, delayMs);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.wakeRecovery = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRecovery = null;
        delayMs = Math.min(delayMs * 2, 5000);
      }
    }
  }

  private settleIdle(): void {
    if (!this.isIdle) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function release(batch: readonly Pending[], outcomes: readonly (Result[] | Error)[]): void {
  for (let i = 0; i < batch.length; i++) {
    const outcome = outcomes[i]!;
    if (outcome instanceof Error) batch[i]!.reject(outcome);
    else batch[i]!.resolve(outcome);
  }
}

/** Whether a result of the batch is a query of an order the store must answer. */
function hasArchived(outcomes: readonly (Result[] | Error)[]): boolean {
  for (const results of outcomes) {
    if (results instanceof Error) continue;
    for (const result of results) if (result.kind === 'archived') return true;
  }
  return false;
}
