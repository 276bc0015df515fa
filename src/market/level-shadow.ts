// A symbol's book rebuilt from its durable events, for the level (L2) feed. The engine's own
// book cannot be read for it: when a batch becomes durable the engine has often applied later
// batches already, so its level totals are ahead of the batch being published. This copy
// moves only with the events, and knows which levels each batch touched.

import type { BookEvent, BookSide } from '../engine/book-events.js';
import type { BookRead, ExchangeView } from '../engine/exchange-view.js';
import { toBigUnits as big } from '../decimal/units.js';

interface RestingOrder {
  readonly side: BookSide;
  readonly price: bigint;
  open: bigint;
}

export interface LevelTotal {
  readonly price: bigint;
  /** Open shares at the price; 0 when the level is gone. */
  readonly shares: bigint;
  readonly orders: number;
}

interface Level {
  shares: bigint;
  orders: number;
}

/** The level totals a batch left for the prices it touched, best first per side. */
export interface LevelChanges {
  readonly bids: LevelTotal[];
  readonly asks: LevelTotal[];
}

export class LevelShadow {
  private readonly orders = new Map<number, RestingOrder>();
  private readonly levels = { buy: new Map<bigint, Level>(), sell: new Map<bigint, Level>() };
  private touched = { buy: new Set<bigint>(), sell: new Set<bigint>() };

  private constructor(
    /** The engine it was copied from: a rebuilt engine may reuse numbers this one skipped. */
    readonly engine: ExchangeView,
    /** The number of the last event it holds. */
    public seq: number,
  ) {}

  /** A copy of the book as the engine holds it now (a batch boundary). */
  static of(engine: ExchangeView, book: BookRead): LevelShadow {
    const shadow = new LevelShadow(engine, book.seq);
    for (const [side, levels] of [
      ['buy', book.bids],
      ['sell', book.asks],
    ] as const) {
      for (const level of levels.levels()) {
        for (let order = level.head; order !== null; order = order.next) {
          shadow.add(order.id, side, level.price, order.open);
        }
      }
    }
    shadow.touched = { buy: new Set(), sell: new Set() };
    return shadow;
  }

  /** For an empty symbol, or tests. */
  static empty(engine: ExchangeView, seq = 0): LevelShadow {
    return new LevelShadow(engine, seq);
  }

  /**
   * Applies one event. False when it does not fit (a gap, or an order it does not know):
   * the copy is then no longer the engine's and must be made again.
   */
  apply(event: BookEvent): boolean {
    if (event.seq !== this.seq + 1) return false;
    this.seq = event.seq;
    switch (event.type) {
      case 'opened':
        if (this.orders.has(event.orderId)) return false;
        this.add(event.orderId, event.side, big(event.price), big(event.shares));
        return true;
      case 'matched':
        return this.reduce(event.restingId, big(event.shares));
      case 'canceled': {
        const order = this.orders.get(event.orderId);
        return order !== undefined && this.reduce(event.orderId, order.open);
      }
      case 'amended': {
        const order = this.orders.get(event.orderId);
        if (order === undefined) return false;
        if (event.requeued) return this.reduce(event.orderId, order.open);
        const shares = big(event.shares);
        if (shares > order.open) return false;
        return this.reduce(event.orderId, order.open - shares);
      }
      case 'triggered':
        return true;
    }
  }

  /** The touched levels' totals since the last call, best first. */
  takeChanges(): LevelChanges {
    const totals = (side: BookSide): LevelTotal[] => {
      const prices = [...this.touched[side]];
      prices.sort((a, b) => (a === b ? 0 : (side === 'buy' ? a > b : a < b) ? -1 : 1));
      return prices.map((price) => {
        const level = this.levels[side].get(price);
        return { price, shares: level?.shares ?? 0n, orders: level?.orders ?? 0 };
      });
    };
    const changes = { bids: totals('buy'), asks: totals('sell') };
    this.touched = { buy: new Set(), sell: new Set() };
    return changes;
  }

  private add(id: number, side: BookSide, price: bigint, open: bigint): void {
    this.orders.set(id, { side, price, open });
    let level = this.levels[side].get(price);
    if (level === undefined) {
      level = { shares: 0n, orders: 0 };
      this.levels[side].set(price, level);
    }
    level.shares += open;
    level.orders++;
    this.touched[side].add(price);
  }

  /** Takes `shares` from a resting order; it leaves when none are left. */
  private reduce(id: number, shares: bigint): boolean {
    const order = this.orders.get(id);
    if (order === undefined || shares > order.open) return false;
    const level = this.levels[order.side].get(order.price)!;
    order.open -= shares;
    level.shares -= shares;
    this.touched[order.side].add(order.price);
    if (order.open > 0n) return true;
    this.orders.delete(id);
    if (--level.orders === 0) this.levels[order.side].delete(order.price);
    return true;
  }
}
