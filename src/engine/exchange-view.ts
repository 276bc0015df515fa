// What code outside the engine may read of it: the views the HTTP side, the market feed and
// the metrics build. Typed against this rather than `Exchange`, they cannot apply requests,
// take changes or reach into the engine's maps.

import type { Account } from './account.js';
import type { Order } from './order.js';

/** A resting order as a book's view reads it: its id, open shares and the next in its level. */
export interface RestingRead {
  readonly id: number;
  readonly open: bigint;
  readonly next: RestingRead | null;
}

/** A price level: its price, open shares, number of orders and the first of them in time. */
export interface LevelRead {
  readonly price: bigint;
  readonly openShares: bigint;
  readonly count: number;
  readonly head: RestingRead | null;
}

/** One side of a book, best price first. */
export interface SideRead {
  readonly levelCount: number;
  readonly orderCount: number;
  best(): LevelRead | undefined;
  /** The best `n` levels, best first. */
  topLevels(n: number): LevelRead[];
  /** Every level, best first. */
  levels(): LevelRead[];
}

/** A symbol's book as the views read it (the classic engine's OrderBook is one). */
export interface BookRead {
  readonly sym: string;
  /** The number of the book's last market-data event. */
  readonly seq: number;
  /** Shares ever granted. */
  readonly granted: bigint;
  readonly bids: SideRead;
  readonly asks: SideRead;
}

/** Which engine holds the state: the column engine, or the classic one that runs everything. */
export type EngineKind = 'columns' | 'classic';

export interface ExchangeView {
  /** Which engine this is, or runs now (adaptive-exchange.ts). */
  readonly engineKind: EngineKind;
  account(id: string): Account | undefined;
  book(sym: string): BookRead | undefined;
  /** An order in memory: open, or closed and not yet evicted. */
  order(id: number): Order | undefined;
  /** Every symbol's book, in creation order. */
  symbolBooks(): IterableIterator<BookRead>;
  /** Every id below it has been given to an order (held in memory or evicted). */
  readonly peekNextOrderId: number;
  readonly accountCount: number;
  readonly symbolCount: number;
  /** Orders in memory (open, or closed and not yet evicted). */
  readonly orderCount: number;
  /** Orders resting in the books. */
  readonly restingOrderCount: number;
  /** Keep book events for the feeds from now on (a switch, not a change of the state). */
  recordBookEvents(): void;
}
