// Stop orders on the column engine, as the classic engine has them: a stop order holds its
// reservation outside the book until a trade in its book at or through its stop price
// triggers it, and then enters as the limit order it is. Stops are few beside resting
// orders: each one's terms and trigger time are kept by slot in a map (its stop price in a
// column, read by every comparison of the sorted lists), and each book's waiting stops in the
// classic engine's sorted lists (waiting-stops.ts), of slots.

import type { OrderTerms } from '../order.js';
import { WaitingStops } from '../waiting-stops.js';

/** What a stop order has beyond the columns (its stop price has a column: `stopPrice`). */
export interface StopRecord {
  /** Its terms (stop price included), for its rows and views. */
  readonly terms: OrderTerms;
  /** When it was triggered; null while it waits. */
  triggeredAt: number | null;
}

/** A book's waiting stops, as slots of these columns. */
export function waitingSlots(columns: {
  readonly orderId: Float64Array;
  readonly buy: Uint8Array;
  readonly stopPrice: Float64Array;
}): WaitingStops<number> {
  return new WaitingStops<number>({
    stop: (slot) => columns.stopPrice[slot]!,
    id: (slot) => columns.orderId[slot]!,
    isBuy: (slot) => columns.buy[slot] === 1,
  });
}
