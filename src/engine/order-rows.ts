// An order and its store row, both ways: what a batch writes of a new order, and the order
// a restore builds from its row.

import type { Account } from './account.js';
import { termsOf, type OrderRow } from './changes.js';
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
  const t = o.terms;
  if (t === LIMIT_GTC) return row;
  return {
    ...row,
    type: t.type,
    tif: t.tif,
    stop: t.stop,
    stp: t.stp,
    makerFee: t.maker,
    takerFee: t.taker,
  };
}

/** `plainTerms`: the engine's shared terms, used when the row's are the same. */
export function orderFromRow(row: OrderRow, account: Account, plainTerms: OrderTerms): Order {
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
  const order = new Order(
    row.id,
    account,
    row.sym,
    row.isBuy,
    row.shares,
    row.limit,
    row.time,
    terms,
  );
  order.open = row.open;
  order.stored = true;
  order.priority = row.priority;
  order.triggeredAt = row.triggeredAt;
  order.waiting = t.stop !== null && row.triggeredAt === null && row.open > 0n;
  return order;
}
