// Order-level market data: every change of a symbol's book, numbered in that symbol's own
// sequence, as the engine made it. A replica that applies them in order holds the same book
// as the engine (docs/extensions.md, "Market data with sequence numbers"). Prices and shares
// are counts of 10^-8 units: bigints from the classic engine, safe integers in doubles from
// the column engine (decimal/units.ts), made into bigints or decimals by who reads them.

import type { Count } from '../decimal/units.js';

export type BookSide = 'buy' | 'sell';

interface EventBase {
  readonly sym: string;
  /** One more than the symbol's previous event. */
  readonly seq: number;
  readonly time: number;
}

/** The order joins the back of its price level with `shares` open. */
export interface OpenedEvent extends EventBase {
  readonly type: 'opened';
  readonly orderId: number;
  readonly side: BookSide;
  readonly price: Count;
  readonly shares: Count;
}

/** The resting order loses `shares` (and leaves the book when none are left). */
export interface MatchedEvent extends EventBase {
  readonly type: 'matched';
  readonly restingId: number;
  readonly incomingId: number;
  /** The resting order's side. */
  readonly side: BookSide;
  readonly price: Count;
  readonly shares: Count;
}

/** The order leaves the book; `shares` were open. */
export interface CanceledEvent extends EventBase {
  readonly type: 'canceled';
  readonly orderId: number;
  readonly side: BookSide;
  readonly price: Count;
  readonly shares: Count;
}

/**
 * Not requeued: the order keeps its place with `shares` open. Requeued (a new limit): it
 * leaves the book; an `opened` event follows if it rests at `price`.
 */
export interface AmendedEvent extends EventBase {
  readonly type: 'amended';
  readonly orderId: number;
  readonly side: BookSide;
  readonly price: Count;
  readonly shares: Count;
  readonly requeued: boolean;
}

/** A waiting stop order was triggered; it enters as an incoming order next. */
export interface TriggeredEvent extends EventBase {
  readonly type: 'triggered';
  readonly orderId: number;
  readonly side: BookSide;
  readonly stop: Count;
}

export type BookEvent = OpenedEvent | MatchedEvent | CanceledEvent | AmendedEvent | TriggeredEvent;
