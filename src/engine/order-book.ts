import type { Order } from './order.js';
import { PriceLevels } from './price-levels.js';
import { WaitingStops, type StopKeys } from './waiting-stops.js';

const ORDER_STOPS: StopKeys<Order> = {
  stop: (order) => order.terms.stop!,
  id: (order) => order.id,
  isBuy: (order) => order.isBuy,
};

/** One symbol's book: bids best-highest, asks best-lowest, each FIFO within a price. */
export class OrderBook {
  readonly bids = new PriceLevels(true);
  readonly asks = new PriceLevels(false);
  /** Stop orders of this symbol waiting for their trigger (outside the book). */
  readonly stops = new WaitingStops(ORDER_STOPS);
  dirty = false;

  constructor(
    readonly sym: string,
    /** Shares ever granted: what held + reserved shares must always add up to. */
    public granted = 0n,
    /** The number of the book's last market-data event. */
    public seq = 0,
  ) {}

  /** The side an incoming order matches against. */
  opposite(incoming: Order): PriceLevels {
    return incoming.isBuy ? this.asks : this.bids;
  }

  rest(order: Order): void {
    (order.isBuy ? this.bids : this.asks).add(order);
  }

  remove(order: Order): void {
    (order.isBuy ? this.bids : this.asks).remove(order);
  }

  /** Whether a resting order at `price` is marketable for `incoming`. */
  static crosses(incoming: Order, price: bigint): boolean {
    if (incoming.terms.type === 'market') return true;
    return incoming.isBuy ? price <= incoming.limit : price >= incoming.limit;
  }
}
