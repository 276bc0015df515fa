// An order and its store row, both ways: what a batch writes of a new order, and the order
// a restore builds from its row.

import type { Account } from './account.js';
import { rowWithTerms, termsOf, type OrderRow } from './changes.js';
import { LIMIT_GTC, Order, isPlainLimit, type OrderTerms } from './order.js';

export function orderRow(o: Order): OrderRow {
  const row = {
    id: o.id,
    account: o.account.id,
    sym: o.sym,
    isBuy: o.isBuy,
    shares: o.shares,
    limit: o.limit,
    open: o.open,
    time: o.time,
    triggeredAt: o.triggeredAt,
    priority: o.priority,
  };
  return o.terms === LIMIT_GTC ? row : rowWithTerms(row, o.terms);
}

/** Distinct values a restore keeps one of each; past that, values are kept as read. */
const SHARED_VALUES = 4096;

/**
 * Equal values a restore reads, held once. A store hands back each row's numbers as new
 * bigints, and a book is mostly a few sizes at a few hundred prices: kept as read, three
 * bigints an order were a large part of a restored order's memory. Bigints are immutable
 * values, so an order cannot tell a shared one from its own.
 */
export class SharedValues {
  private readonly values = new Map<bigint, bigint>();

  bigint(value: bigint): bigint {
    const shared = this.values.get(value);
    if (shared !== undefined) return shared;
    if (this.values.size < SHARED_VALUES) this.values.set(value, value);
    return value;
  }
}

/**
 * `plainTerms`: the engine's shared terms, used when the row's are the same. `sym`: the
 * book's own name, held by all its orders rather than a copy per row (a store hands back
 * each row's text as a new string).
 */
export function orderFromRow(
  row: OrderRow<bigint>,
  account: Account,
  plainTerms: OrderTerms,
  sym: string,
  shared: SharedValues,
): Order {
  const t = termsOf(row);
  const terms: OrderTerms =
    isPlainLimit(t) && t.makerFee === plainTerms.maker && t.takerFee === plainTerms.taker
      ? plainTerms
      : {
          type: t.type,
          tif: t.tif,
          stop: t.stop,
          stp: t.stp,
          maker: t.makerFee,
          taker: t.takerFee,
        };
  const shares = shared.bigint(row.shares);
  const order = new Order(
    row.id,
    account,
    sym,
    row.isBuy,
    shares,
    shared.bigint(row.limit),
    row.time,
    terms,
  );
  // The constructor's open is the order's size: most resting orders are still whole.
  if (row.open !== shares) order.open = shared.bigint(row.open);
  order.stored = true;
  order.priority = row.priority;
  order.triggeredAt = row.triggeredAt;
  order.waiting = t.stop !== null && row.triggeredAt === null && row.open > 0n;
  return order;
}
