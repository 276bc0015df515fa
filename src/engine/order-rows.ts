// An order and its store row, both ways: what a batch writes of a new order, and the order
// a restore builds from its row.

import type { Account } from './account.js';
import type { OrderRow } from './changes.js';
import { Order, isPlainLimit, type OrderTerms } from './order.js';

export function orderRow(o: Order): OrderRow {
  return {
    id: o.id,
    account: o.account.id,
    sym: o.sym,
    isBuy: o.isBuy,
    shares: o.shares,
    limit: o.limit,
    open: o.open,
    time: o.time,
    type: o.terms.type,
    tif: o.terms.tif,
    stop: o.terms.stop,
    stp: o.terms.stp,
    triggeredAt: o.triggeredAt,
    priority: o.priority,
    makerFee: o.terms.maker,
    takerFee: o.terms.taker,
  };
}

/** `plainTerms`: the engine's shared terms, used when the row's are the same. */
export function orderFromRow(row: OrderRow, account: Account, plainTerms: OrderTerms): Order {
  const terms: OrderTerms =
    isPlainLimit(row) && row.makerFee === plainTerms.maker && row.takerFee === plainTerms.taker
      ? plainTerms
      : {
          type: row.type,
          tif: row.tif,
          stop: row.stop,
          stp: row.stp,
          maker: row.makerFee,
          taker: row.takerFee,
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
  order.waiting = row.stop !== null && row.triggeredAt === null && row.open > 0n;
  return order;
}
