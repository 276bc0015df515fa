// What the column engine hands out of its columns: a batch's changes, as columns
// (change-columns.ts), their amounts as the engine holds them (safe integers, and exact pairs
// for cash and positions), so that no bigint and no row is made on the engine's thread; and,
// for the classic engine to take over, the whole state as a snapshot, its amounts bigints.

import { bigAccountRow, bigExecutionRow, bigOrderRow, bigPositionRow } from '../big-rows.js';
import {
  ACCOUNT_VALUES,
  ColumnarChangeSet,
  columnOffsets,
  ORDER_VALUES,
  UPDATE_VALUES,
  type ChangeColumns,
} from '../change-columns.js';
import {
  rowWithTerms,
  type CancelRow,
  type OrderReshape,
  type OrderRow,
  type PositionRow,
  type Snapshot,
  type SymbolRow,
} from '../changes.js';
import type { OrderTerms } from '../order.js';
import {
  ColumnAccountRow,
  ColumnExecutionRow,
  ColumnOrderRow,
  ColumnPositionRow,
  ColumnReshape,
  ColumnSymbolRow,
} from './column-rows.js';
import { RESHAPED, STORED, type AmendRecord, type ColumnState } from './column-state.js';

/** Closes the current batch: everything changed since the last call, as columns. */
export function takeColumnChanges(state: ColumnState): ColumnarChangeSet {
  state.batch++;
  const orders = state.dirtyOrders;
  const orderReshapes: OrderReshape[] = [];
  let orderCount = 0;
  for (let i = 0; i < orders.length; i++) {
    const flags = state.flags[orders.items[i]!]!;
    if ((flags & STORED) === 0) orderCount++;
    else if ((flags & RESHAPED) !== 0)
      orderReshapes.push(new ColumnReshape(state, orders.items[i]!));
  }
  const accounts = state.dirtyAccounts;
  const positions = state.dirtyPositions;
  const execs = state.batchExecs;
  const accountCount = accounts.length;
  const positionCount = positions.length;
  const updateCount = orders.length - orderCount - orderReshapes.length;
  const at = columnOffsets(accountCount, positionCount, orderCount, updateCount, execs.length);
  const values = new Float64Array(at.valueCount);
  const names = new Array<string>(at.nameCount);
  const deposited = new Array<bigint>(accounts.length);
  const terms = new Array<OrderTerms | null>(orderCount);
  for (let i = 0, v = 0; i < accounts.length; i++, v += ACCOUNT_VALUES) {
    const a = accounts.items[i]!;
    names[i] = state.accountIds[a]!;
    values[v] = state.cashHi[a]!;
    values[v + 1] = state.cashLo[a]!;
    deposited[i] = state.deposited[a]!;
  }
  accounts.clear();
  for (let i = 0, v = at.positionValues, n = at.positionNames; i < positions.length; i++) {
    const p = positions.items[i]!;
    names[n++] = state.accountIds[state.positionAccount[p]!]!;
    names[n++] = state.symbolNames[state.positionSym[p]!]!;
    values[v++] = state.sharesHi[p]!;
    values[v++] = state.sharesLo[p]!;
  }
  positions.clear();
  let order = at.orderValues;
  let orderName = at.orderNames;
  let update = at.updateValues;
  for (let i = 0, o = 0; i < orders.length; i++) {
    const slot = orders.items[i]!;
    const flags = state.flags[slot]!;
    // A new order's row is the whole of it, amends of this batch included.
    if ((flags & STORED) === 0) {
      names[orderName++] = state.accountIds[state.owner[slot]!]!;
      names[orderName++] = state.symbolNames[state.sym[slot]!]!;
      values[order] = state.orderId[slot]!;
      values[order + 1] = state.buy[slot]!;
      values[order + 2] = state.shares[slot]!;
      values[order + 3] = state.limit[slot]!;
      values[order + 4] = state.open[slot]!;
      values[order + 5] = state.time[slot]!;
      values[order + 6] = state.triggeredAt(slot) ?? NaN;
      values[order + 7] = state.priority[slot]!;
      order += ORDER_VALUES;
      terms[o++] = state.kind[slot] === 0 ? null : state.terms(slot);
      state.flags[slot] = STORED;
    } else if ((flags & RESHAPED) !== 0) state.flags[slot] = STORED;
    else {
      values[update] = state.orderId[slot]!;
      values[update + 1] = state.open[slot]!;
      update += UPDATE_VALUES;
    }
  }
  orders.clear();
  for (let i = 0, v = at.executionValues, n = at.executionNames; i < execs.length; i++) {
    const e = execs[i]!;
    names[n++] = state.symbolNames[state.execSym[e]!]!;
    values[v++] = state.execBuy[e]!;
    values[v++] = state.execSell[e]!;
    values[v++] = state.execShares[e]!;
    values[v++] = state.execPrice[e]!;
    values[v++] = state.execTime[e]!;
  }
  state.batchExecs = [];
  const books = state.dirtyBooks;
  const symbols = new Array<SymbolRow>(books.length);
  for (let i = 0; i < books.length; i++) symbols[i] = new ColumnSymbolRow(state, books.items[i]!);
  books.clear();
  // Written out field by field: spreading an object of the counts into this literal took
  // V8's runtime (map transitions made anew) at every batch.
  const columns: ChangeColumns = {
    accountCount,
    positionCount,
    orderCount,
    updateCount,
    executionCount: execs.length,
    values,
    names,
    deposited,
    terms,
    symbols,
    orderReshapes,
    cancels: state.cancels,
    amendments: state.amendmentRows,
  };
  state.cancels = [];
  state.amendmentRows = [];
  return new ColumnarChangeSet(columns, at);
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
