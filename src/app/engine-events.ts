// What the engine's process does when its store fails, recovers or is taken over: logs it,
// stops the process where the engine is ahead of the store for good, settles `deposed` when
// another engine leads, and starts the trade tape over from the store after a recovery.

import type { Logger } from 'pino';
import { Fenced, type NotLeader, type StoreFailure } from '../errors/failures.js';
import type { MarketFeed } from '../market/market-feed.js';
import type { SequencerEvents } from '../sequencer/sequencer.js';
import type { Store } from '../store/store.js';

/** Executions read for the trade tape (it keeps up to 1,000 per symbol). */
export const TAPE_SEED = 10_000;

export interface EngineEventsOptions {
  readonly log: Logger;
  readonly store: Store;
  /** The market feed whose tape is reloaded after a recovery; none without the HTTP side. */
  readonly market: MarketFeed | null;
  /** Called if the store fails for good: the process should exit. */
  readonly onStoreFailure?: ((failure: StoreFailure) => void) | undefined;
}

export class EngineEvents implements SequencerEvents {
  /** Settles when another engine has taken the store over while this one was cut off. */
  readonly deposition: Promise<void>;
  private settleDeposition!: () => void;

  constructor(private readonly options: EngineEventsOptions) {
    this.deposition = new Promise((resolve) => (this.settleDeposition = resolve));
  }

  failed(failure: StoreFailure, recoverable: boolean): void {
    const { log, onStoreFailure } = this.options;
    if (recoverable) {
      log.error({ err: failure }, 'store failed: answering errors and reconnecting');
    } else if (failure.cause instanceof Fenced) {
      log.fatal(
        { err: failure.cause },
        'fenced: another engine leads the store now; stopping without replying to the refused batch',
      );
      onStoreFailure?.(failure);
    } else {
      log.fatal({ err: failure }, 'store failed; no reply of the batch was sent');
      onStoreFailure?.(failure);
    }
  }

  recovered(ms: number): void {
    const { log, store, market } = this.options;
    log.warn(
      { ms: Math.round(ms), ...(store.epoch == null ? {} : { epoch: store.epoch }) },
      'store is back: state reloaded, serving',
    );
    // A batch whose commit outcome was lost may be in the store after all: the rebuilt
    // books and the store say, so the feed starts over from them.
    if (market === null) return;
    store.recentExecutions(TAPE_SEED).then(
      (executions) => market.restart(executions),
      (error: unknown) => log.error({ err: error }, 'could not reload the trade tape'),
    );
  }

  recoveryFailed(error: unknown, retryInMs: number): void {
    this.options.log.warn({ err: error, retryInMs }, 'store still unavailable');
  }

  deposed(reason: NotLeader): void {
    this.options.log.warn(
      { reason: reason.message },
      'deposed: another engine leads the store now',
    );
    this.settleDeposition();
  }
}
