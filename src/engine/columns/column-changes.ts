// What the column engine hands out of its columns: a batch's change rows, their amounts as
// the columns hold them (safe integers, and exact pairs for cash and positions: Units), so
// that no bigint is made on the engine's thread; and, for the classic engine to take over,
// the whole state as a snapshot, its amounts bigints.

import { bigAccountRow, bigExecutionRow, bigOrderRow, bigPositionRow } from '../big-rows.js';
import {
  rowWithTerms,
  type AccountRow,
  type CancelRow,
  type ChangeSet,
  type ExecutionRow,
  type OrderRow,
  type PositionRow,
  type Snapshot,
  type SymbolRow,
} from '../changes.js';
import {
  ColumnAccountRow,
  ColumnExecutionRow,
  ColumnOpenUpdate,
  ColumnOrderRow,
  ColumnPositionRow,
  ColumnReshape,
  ColumnSymbolRow,
} from './column-rows.js';
import { RESHAPED, STORED, type AmendRecord, type ColumnState } from './column-state.js';

/** Closes the current batch: everything changed since the last call, as plain values. */
export function takeColumnChanges(state: ColumnState): ChangeSet {
  state.batch++;
  const accounts = state.dirtyAccounts;
  const accountRows = new Array<AccountRow>(accounts.length);
  for (let i = 0; i < accounts.length; i++)
    accountRows[i] = new ColumnAccountRow(state, accounts.items[i]!);
  accounts.clear();
  const books = state.dirtyBooks;
  const symbolRows = new Array<SymbolRow>(books.length);
  for (let i = 0; i < books.length; i++)
    symbolRows[i] = new ColumnSymbolRow(state, books.items[i]!);
  books.clear();
  const positions = state.dirtyPositions;
  const positionRows = new Array<PositionRow>(positions.length);
  for (let i = 0; i < positions.length; i++) {
    positionRows[i] = new ColumnPositionRow(state, positions.items[i]!);
  }
  positions.clear();
  const batchExecs = state.batchExecs;
  const executions = new Array<ExecutionRow>(batchExecs.length);
  for (let i = 0; i < batchExecs.length; i++)
    executions[i] = new ColumnExecutionRow(state, batchExecs[i]!);
  state.batchExecs = [];
  const changes: ChangeSet = {
    accounts: accountRows,
    symbols: symbolRows,
    positions: positionRows,
    newOrders: [],
    orderUpdates: [],
    orderReshapes: [],
    executions,
    cancels: state.cancels,
    amendments: state.amendmentRows,
  };
  const orders = state.dirtyOrders;
  for (let i = 0; i < orders.length; i++) {
    const slot = orders.items[i]!;
    const flags = state.flags[slot]!;
    // A new order's row is the whole of it, amends of this batch included.
    if ((flags & STORED) === 0) {
      changes.newOrders.push(orderRow(state, slot));
      state.flags[slot] = STORED;
    } else if ((flags & RESHAPED) !== 0) {
      changes.orderReshapes.push(new ColumnReshape(state, slot));
      state.flags[slot] = STORED;
    } else changes.orderUpdates.push(new ColumnOpenUpdate(state, slot));
  }
  orders.clear();
  state.cancels = [];
  state.amendmentRows = [];
  return changes;
}

/** An order's row: its terms only when it is not a plain limit order, as the classic engine's. */
export function orderRow(state: ColumnState, slot: number): OrderRow {
  const row = new ColumnOrderRow(state, slot);
  return state.kind[slot] === 0 ? row : rowWithTerms(row, state.terms(slot));
}

/**
 * Everything held now as a live snapshot (the orders held, their executions and cancels;
 * closed orders let go are the store's), for the classic engine to restore. Call it between
 * batches: the rows of the batch being built are not in it as changes.
 */
export function columnSnapshot(state: ColumnState): Snapshot {
  const accounts = state.accountIds.map((_, a) => bigAccountRow(new ColumnAccountRow(state, a)));
  const symbols = state.symbolNames.map((_, s) => new ColumnSymbolRow(state, s));
  const positions: PositionRow<bigint>[] = [];
  for (let p = 0; p < state.positionCount; p++)
    positions.push(bigPositionRow(new ColumnPositionRow(state, p)));
  const orders: OrderRow<bigint>[] = [];
  const execs = new Set<number>();
  const cancels: CancelRow<bigint>[] = [];
  const amends: (AmendRecord & { readonly orderId: number })[] = [];
  for (const slot of state.slots.slotsInIdOrder()) {
    orders.push(bigOrderRow(orderRow(state, slot)));
    const orderId = state.orderId[slot]!;
    for (const a of state.amendmentsOf.get(slot) ?? []) amends.push({ ...a, orderId });
    const next = state.buy[slot] === 1 ? state.nextOfBuy : state.nextOfSell;
    for (let e = state.firstFill[slot]!; e !== -1; e = next[e]!) execs.add(e);
    if (state.canceled[slot] === 1) {
      const shares = BigInt(state.canceledShares[slot]!);
      cancels.push({ orderId: state.orderId[slot]!, shares, time: state.canceledTime[slot]! });
    }
  }
  const executions = [...execs]
    .sort((a, b) => state.execSerial[a]! - state.execSerial[b]!)
    .map((e) => bigExecutionRow(new ColumnExecutionRow(state, e)));
  return {
    accounts,
    symbols,
    positions,
    orders,
    executions,
    cancels,
    amendments: amends
      .sort((a, b) => a.serial - b.serial)
      .map(({ orderId, open, limit, time }) => ({
        orderId,
        open: BigInt(open),
        limit: BigInt(limit),
        time,
      })),
    scope: 'live',
    nextOrderId: state.nextId,
    nextPriority: state.nextPriority,
  };
}
