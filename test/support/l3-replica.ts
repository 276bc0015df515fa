// A replica of the order books built only from L3 book events, as a market-data client
// builds it (docs/extensions.md, "Market data with sequence numbers"): an empty book per
// symbol, each event applied in `seq` order. Plain arrays, no engine code.

import type { BookEvent } from '../../src/engine/book-events.js';

interface ROrder {
  id: number;
  shares: bigint;
}

interface RLevel {
  price: bigint;
  orders: ROrder[];
}

interface RBook {
  seq: number;
  bids: RLevel[];
  asks: RLevel[];
}

/** A side as plain values, best level first: price and [id, open shares] in queue order. */
export type SideView = { price: bigint; orders: [number, bigint][] }[];

export class L3Replica {
  readonly books = new Map<string, RBook>();

  private book(sym: string): RBook {
    let b = this.books.get(sym);
    if (b === undefined) {
      b = { seq: 0, bids: [], asks: [] };
      this.books.set(sym, b);
    }
    return b;
  }

  /** Applies one event; returns a problem, or null. */
  apply(event: BookEvent): string | null {
    // Amounts come as bigints or as safe integers (from the column engine): bigints here.
    const e =
      event.type === 'triggered'
        ? event
        : { ...event, price: BigInt(event.price), shares: BigInt(event.shares) };
    const b = this.book(e.sym);
    if (e.seq !== b.seq + 1) return `${e.sym}: event seq ${e.seq} after ${b.seq} (a gap)`;
    b.seq = e.seq;
    switch (e.type) {
      case 'opened': {
        const side = e.side === 'buy' ? b.bids : b.asks;
        if (find(b, e.orderId) !== null) return `opened ${e.orderId} already in the book`;
        let level = side.find((l) => l.price === e.price);
        if (level === undefined) {
          level = { price: e.price, orders: [] };
          side.push(level);
        }
        level.orders.push({ id: e.orderId, shares: e.shares });
        return null;
      }
      case 'matched': {
        const at = find(b, e.restingId);
        if (at === null) return `matched ${e.restingId}: not in the book`;
        if (at.level.price !== e.price)
          return `matched ${e.restingId} at ${e.price}, rests at ${at.level.price}`;
        if (at.order.shares < e.shares) return `matched ${e.restingId}: more than its open shares`;
        at.order.shares -= e.shares;
        if (at.order.shares === 0n) remove(b, at);
        return null;
      }
      case 'canceled': {
        const at = find(b, e.orderId);
        if (at === null) return `canceled ${e.orderId}: not in the book`;
        remove(b, at);
        return null;
      }
      case 'amended': {
        const at = find(b, e.orderId);
        if (at === null) return `amended ${e.orderId}: not in the book`;
        if (e.requeued) remove(b, at);
        else at.order.shares = e.shares;
        return null;
      }
      case 'triggered':
        return find(b, e.orderId) === null ? null : `triggered ${e.orderId} is in the book`;
    }
  }

  side(sym: string, isBuy: boolean): SideView {
    const b = this.books.get(sym);
    if (b === undefined) return [];
    const levels = [...(isBuy ? b.bids : b.asks)].sort((x, y) =>
      x.price === y.price ? 0 : (isBuy ? x.price > y.price : x.price < y.price) ? -1 : 1,
    );
    return levels.map((l) => ({
      price: l.price,
      orders: l.orders.map((o): [number, bigint] => [o.id, o.shares]),
    }));
  }

  seq(sym: string): number {
    return this.books.get(sym)?.seq ?? 0;
  }
}

function find(b: RBook, id: number): { side: RLevel[]; level: RLevel; order: ROrder } | null {
  for (const side of [b.bids, b.asks]) {
    for (const level of side) {
      const order = level.orders.find((o) => o.id === id);
      if (order !== undefined) return { side, level, order };
    }
  }
  return null;
}

function remove(_b: RBook, at: { side: RLevel[]; level: RLevel; order: ROrder }): void {
  at.level.orders.splice(at.level.orders.indexOf(at.order), 1);
  if (at.level.orders.length === 0) at.side.splice(at.side.indexOf(at.level), 1);
}
