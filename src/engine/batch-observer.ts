// What observers of the engine's durable batches see (market data, metrics), as types only:
// they depend on this leaf, not on the sequencer that calls them.

import type { BookEvent } from './book-events.js';
import type { ChangeSet } from './changes.js';
import type { ExchangeView } from './exchange-view.js';

/** Told of every batch once it is durable, before its closed orders may leave memory. */
export interface BatchObserver {
  batchDurable(durable: DurableBatch): void;
}

export interface DurableBatch {
  readonly changes: ChangeSet;
  /** The batch's market-data events, in the order they happened. */
  readonly events: readonly BookEvent[];
  /** The engine that applied it (order ids in the changes can be looked up in it). */
  readonly engine: ExchangeView;
  /** Requests in the batch. */
  readonly requests: number;
  /** From hand-off to the store to durable. */
  readonly commitMs: number;
}

export interface SequencerStats {
  /** Batches handed to the store (it may merge several into one transaction). */
  batches: number;
  requests: number;
  largestBatch: number;
  /** Sum over batches of hand-off to durable, for the mean commit latency. */
  commitMs: number;
  /** Requests refused because too many were waiting for the store. */
  shed: number;
}

/** What a metrics observer reads between batches. */
export interface BatchSource {
  readonly currentEngine: ExchangeView;
  readonly stats: Readonly<SequencerStats>;
}
