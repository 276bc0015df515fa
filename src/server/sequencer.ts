// The single writer: requests are applied to the engine one at a time, in arrival order, and
// group-committed. Everything that arrives while a commit is in flight forms the next batch;
// a batch is one store transaction, and no result of a batch is released before it commits.
// The next batch is applied only after the previous one committed, so no reply (not even a
// query) can ever show state that might still be lost.

import type { Request, Result } from '../engine/commands.js';
import { isEmptyChangeSet } from '../engine/changes.js';
import type { Exchange } from '../engine/exchange.js';
import type { Store } from '../store/store.js';

interface Pending {
  readonly request: Request;
  readonly resolve: (results: Result[]) => void;
  readonly reject: (error: Error) => void;
}

export interface SequencerStats {
  batches: number;
  requests: number;
  largestBatch: number;
}

export class StoreFailure extends Error {
  constructor(cause: unknown) {
    super(`the store failed to commit: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

export class Sequencer {
  private queue: Pending[] = [];
  private scheduled = false;
  private committing = false;
  private failure: StoreFailure | null = null;
  private lastTime = 0;
  private idleWaiters: (() => void)[] = [];
  readonly stats: SequencerStats = { batches: 0, requests: 0, largestBatch: 0 };

  constructor(
    private readonly engine: Exchange,
    private readonly store: Store,
    /** Seconds since the epoch. */
    private readonly clock: () => number,
    /** Called once when a commit fails: the engine is then ahead of the store and must stop. */
    private readonly onFailure: (failure: StoreFailure) => void,
  ) {}

  submit(request: Request): Promise<Result[]> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) {
        reject(this.failure);
        return;
      }
      this.queue.push({ request, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or committing. */
  idle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get isIdle(): boolean {
    return this.queue.length === 0 && !this.committing && !this.scheduled;
  }

  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    // setImmediate runs after pending socket reads, so a busy loop gathers bigger batches.
    setImmediate(() => this.runBatch());
  }

  private runBatch(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.settleIdle();

    // Time never runs backwards inside the exchange, whatever the wall clock does.
    const now = Math.max(this.lastTime, this.clock());
    this.lastTime = now;
    const outcomes = batch.map((p) => this.applyOne(p.request, now));
    const changes = this.engine.takeChanges();
    this.stats.batches++;
    this.stats.requests += batch.length;
    if (batch.length > this.stats.largestBatch) this.stats.largestBatch = batch.length;

    if (isEmptyChangeSet(changes)) {
      settle(batch, outcomes);
      return this.next();
    }
    this.committing = true;
    this.store.commit(changes).then(
      () => {
        this.committing = false;
        settle(batch, outcomes);
        this.next();
      },
      (error: unknown) => {
        this.committing = false;
        this.failure = new StoreFailure(error);
        for (const p of batch) p.reject(this.failure);
        for (const p of this.queue) p.reject(this.failure);
        this.queue = [];
        this.settleIdle();
        this.onFailure(this.failure);
      },
    );
  }

  private applyOne(request: Request, now: number): Result[] | Error {
    try {
      return this.engine.apply(request, now);
    } catch (error) {
      // A bug, not a refusal: the request is answered with an internal error and logged
      // by whoever awaits it; the other requests of the batch go on.
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private next(): void {
    if (this.queue.length > 0) this.schedule();
    else this.settleIdle();
  }

  private settleIdle(): void {
    if (!this.isIdle) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function settle(batch: readonly Pending[], outcomes: readonly (Result[] | Error)[]): void {
  batch.forEach((p, i) => {
    const outcome = outcomes[i]!;
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  });
}
