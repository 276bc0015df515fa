// Change rows (and results) with their amounts made bigints, whatever form they came in
// (Units): what a snapshot holds, and what code that computes with the amounts needs. Off the hot path: the
// stores' threads format Units directly, and these run when a state is loaded or inspected.

import { toBigUnits as big } from '../decimal/units.js';
import type {
  AccountRow,
  AmendmentRow,
  CancelRow,
  ChangeSet,
  ExecutionRow,
  OrderRow,
  PositionRow,
  SymbolRow,
} from './changes.js';
import type { Result } from './commands.js';
import type { BookEvent } from './book-events.js';

export const bigAccountRow = (r: AccountRow): AccountRow<bigint> => ({
  id: r.id,
  cash: big(r.cash),
  deposited: big(r.deposited),
});

export const bigSymbolRow = (r: SymbolRow): SymbolRow<bigint> => ({
  sym: r.sym,
  granted: big(r.granted),
  seq: r.seq,
});

export const bigPositionRow = (r: PositionRow): PositionRow<bigint> => ({
  account: r.account,
  sym: r.sym,
  shares: big(r.shares),
});

export const bigOrderRow = (r: OrderRow): OrderRow<bigint> => {
  const shares = big(r.shares);
  // One bigint for both while the order is whole, as the classic engine's rows hold it.
  const open = r.open === r.shares ? shares : big(r.open);
  return { ...r, shares, limit: big(r.limit), open };
};

export const bigExecutionRow = (r: ExecutionRow): ExecutionRow<bigint> => ({
  ...r,
  shares: big(r.shares),
  price: big(r.price),
});

export const bigCancelRow = (r: CancelRow): CancelRow<bigint> => ({ ...r, shares: big(r.shares) });

export const bigAmendmentRow = (r: AmendmentRow): AmendmentRow<bigint> => ({
  ...r,
  open: big(r.open),
  limit: big(r.limit),
});

/** Every row of a change set with its amounts as bigints (tests and tools compare these). */
export function bigChangeSet(c: ChangeSet): ChangeSet {
  return {
    accounts: c.accounts.map(bigAccountRow),
    symbols: c.symbols.map(bigSymbolRow),
    positions: c.positions.map(bigPositionRow),
    newOrders: c.newOrders.map(bigOrderRow),
    orderUpdates: c.orderUpdates.map((u) => ({ id: u.id, open: big(u.open) })),
    orderReshapes: c.orderReshapes.map((r) => ({ ...r, open: big(r.open), limit: big(r.limit) })),
    executions: c.executions.map(bigExecutionRow),
    cancels: c.cancels.map(bigCancelRow),
    amendments: c.amendments.map(bigAmendmentRow),
  };
}

/** A result with its status's shares and prices as bigints (the column engine's are doubles). */
export function bigResult(result: Result): Result {
  if (result.kind !== 'status' && result.kind !== 'canceled') return result;
  const s = result.status;
  const status = {
    ...s,
    open: big(s.open),
    canceled: s.canceled === null ? null : { ...s.canceled, shares: big(s.canceled.shares) },
    fills: s.fills.map((f) => ({ ...f, shares: big(f.shares), price: big(f.price) })),
  };
  return { ...result, status };
}

/** A market-data event with its price and shares as bigints, as the classic engine makes it. */
export function bigBookEvent(event: BookEvent): BookEvent {
  if (event.type === 'triggered') return { ...event, stop: big(event.stop) };
  return { ...event, price: big(event.price), shares: big(event.shares) };
}
