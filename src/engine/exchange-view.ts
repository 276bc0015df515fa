// What code outside the engine may read of it: the views the HTTP side, the market feed and
// the metrics build. Typed against this rather than `Exchange`, they cannot apply requests,
// take changes or reach into the engine's maps.

import type { Account } from './account.js';
import type { Order } from './order.js';
import type { OrderBook } from './order-book.js';

export interface ExchangeView {
  account(id: string): Account | undefined;
  book(sym: string): OrderBook | undefined;
  /** An order in memory: open, or closed and not yet evicted. */
  order(id: number): Order | undefined;
  /** Every symbol's book, in creation order. */
  symbolBooks(): IterableIterator<OrderBook>;
  /** Every id below it has been given to an order (held in memory or evicted). */
  readonly peekNextOrderId: number;
  readonly accountCount: number;
  readonly symbolCount: number;
  /** Orders in memory (open, or closed and not yet evicted). */
  readonly orderCount: number;
  /** Keep book events for the feeds from now on (a switch, not a change of the state). */
  recordBookEvents(): void;
}
