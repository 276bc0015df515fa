import type { Exchange } from '../../src/engine/exchange.js';
import type { PriceLevels } from '../../src/engine/price-levels.js';

/** A side of a book, best level first: each level's price, order ids in queue order, open shares. */
export function levelOrders(side: PriceLevels): { price: bigint; ids: number[]; open: bigint }[] {
  return side.levels().map((level) => {
    const ids: number[] = [];
    let open = 0n;
    for (let o = level.head; o !== null; o = o.next) {
      ids.push(o.id);
      open += o.open;
    }
    return { price: level.price, ids, open };
  });
}

/**
 * Everything observable about the state, as plain values (zero positions omitted). With
 * 'open', only open orders: what a restart holds in memory (closed ones stay in the store).
 */
export function dumpState(ex: Exchange, orders: 'all' | 'open' = 'all'): unknown {
  return {
    nextOrderId: ex.peekNextOrderId,
    accounts: [...ex.accounts.values()]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((a) => ({
        id: a.id,
        cash: a.cash,
        deposited: a.deposited,
        positions: [...a.positions.values()]
          .filter((p) => p.shares !== 0n)
          .sort((p, q) => (p.sym < q.sym ? -1 : 1))
          .map((p) => [p.sym, p.shares]),
      })),
    orders: [...ex.orders.values()]
      .filter((o) => orders === 'all' || o.open > 0n)
      .map((o) => ({
        id: o.id,
        account: o.account.id,
        sym: o.sym,
        isBuy: o.isBuy,
        shares: o.shares,
        limit: o.limit,
        time: o.time,
        open: o.open,
        fills: o.fills,
        canceled: o.canceled,
        terms: o.terms,
        waiting: o.waiting,
        triggeredAt: o.triggeredAt,
        priority: o.priority,
        amendments: o.amendments,
      })),
    books: [...ex.books.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([sym, b]) => ({
        sym,
        granted: b.granted,
        seq: b.seq,
        bids: levelOrders(b.bids),
        asks: levelOrders(b.asks),
        stops: b.stops.all().map((o) => o.id),
      })),
  };
}
