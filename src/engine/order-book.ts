import type { Order } from './order.js';
import { PriceLevels } from './price-levels.js';

/** One symbol's book: bids best-highest, asks best-lowest, each FIFO within a price. */
export class OrderBook {
  readonly bids = new PriceLevels(true);
  readonly asks = new PriceLevels(false);
  /** Waiting buy stops, lowest stop first (ties by id): triggered by trades at or above it. */
  readonly buyStops: Order[] = [];
  /** Waiting sell stops, highest stop first (ties by id): triggered at or below it. */
  readonly sellStops: Order[] = [];
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
    return incoming.isBuy ? price <= incoming.limit : price >= incoming.limit;
  }
}
