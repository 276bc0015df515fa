// The column engine's orders and accounts read as the classic engine's objects (Order,
// Account), for the views outside the engine (ExchangeView); its books are column-book.ts.
// Each is built when asked, from the columns, and is a copy: it does not follow later
// changes, which is all a view needs (views are read between batches and turned into replies
// at once). Not on the matching path.

import * as pair from '../../decimal/exact-pair.js';
import { Account, Position } from '../account.js';
import { Order } from '../order.js';
import { STORED, type ColumnState } from './column-state.js';
import { ColumnExecutionRow } from './column-rows.js';
import { bigExecutionRow } from '../big-rows.js';
import { bigAmendment } from './column-status.js';

/** Builds the view objects of one read; accounts are made once per read. */
export class ColumnViews {
  private readonly accounts = new Map<number, Account>();

  constructor(private readonly state: ColumnState) {}

  account(a: number): Account {
    let account = this.accounts.get(a);
    if (account !== undefined) return account;
    const s = this.state;
    const cash = pair.toBigInt(s.cashHi[a]!, s.cashLo[a]!);
    account = new Account(s.accountIds[a]!, cash, s.deposited[a]!);
    for (const [sym, p] of s.positionsOf[a]!) {
      const shares = pair.toBigInt(s.sharesHi[p]!, s.sharesLo[p]!);
      const name = s.symbolNames[sym]!;
      account.positions.set(name, new Position(account, name, shares));
    }
    this.accounts.set(a, account);
    return account;
  }

  /** The account with its resting orders, oldest first. */
  accountWithOrders(a: number): Account {
    const account = this.account(a);
    const queues = this.state.accountOrders;
    for (let slot = queues.head[a]!; slot !== 0; slot = queues.next[slot]!) {
      account.addResting(this.order(slot));
    }
    return account;
  }

  order(slot: number): Order {
    const s = this.state;
    const shares = BigInt(s.shares[slot]!);
    const order = new Order(
      s.orderId[slot]!,
      this.account(s.owner[slot]!),
      s.symbolNames[s.sym[slot]!]!,
      s.buy[slot] === 1,
      shares,
      BigInt(s.limit[slot]!),
      s.time[slot]!,
      s.terms(slot),
    );
    order.open = BigInt(s.open[slot]!);
    order.priority = s.priority[slot]!;
    order.stored = (s.flags[slot]! & STORED) !== 0;
    order.waiting = s.isWaiting(slot);
    order.triggeredAt = s.triggeredAt(slot);
    const amendments = s.amendmentsOf.get(slot);
    if (amendments !== undefined) order.amendments = amendments.map(bigAmendment);
    if (s.canceled[slot] === 1) {
      order.canceled = { shares: BigInt(s.canceledShares[slot]!), time: s.canceledTime[slot]! };
    }
    const next = s.buy[slot] === 1 ? s.nextOfBuy : s.nextOfSell;
    for (let e = s.firstFill[slot]!; e !== -1; e = next[e]!)
      order.addFill(bigExecutionRow(new ColumnExecutionRow(s, e)));
    return order;
  }
}
