// A batch's changes on their way to a store's thread. The column engine's are columns
// already (engine/change-columns.ts) and travel as their arrays. Rows, the classic engine's, are
// packed here: one flat array of plain values per table, each row its fields in a fixed
// order. postMessage clones what it sends, and a batch is mostly small objects: cloned as
// objects, each is written with its property names and rebuilt on the other side property by
// property, which cost more than the store's own writing of the rows (see
// bench/report/report.md). Flat arrays of numbers, strings and bigints clone at a fraction of
// that, and the receiving thread builds the rows again in compiled code, every row of a table
// with the same shape. Amounts travel as the engine holds them (bigints; doubles and exact
// pairs of doubles, the column engine's), so their decimals are made on the store's thread.

import { ColumnarChangeSet, type ChangeColumns } from '../engine/change-columns.js';
import type {
  AccountRow,
  AmendmentRow,
  CancelRow,
  ChangeSet,
  ExecutionRow,
  OrderOpenUpdate,
  OrderReshape,
  OrderRow,
  PositionRow,
  SymbolRow,
  Units,
} from '../engine/changes.js';

/** A ChangeSet packed: its rows, or its columns. */
export type PackedChangeSet = PackedRows | PackedColumns;

type Flat = readonly unknown[];

/** Rows packed: the nine tables in ChangeSet's order, each one flat array. */
export type PackedRows = readonly [
  accounts: Flat,
  symbols: Flat,
  positions: Flat,
  newOrders: Flat,
  orderUpdates: Flat,
  orderReshapes: Flat,
  executions: Flat,
  cancels: Flat,
  amendments: Flat,
];

/**
 * Columns packed: their counts and arrays as they are, and the tables they keep as rows packed
 * as above. A tuple, not the columns' object: a structured clone writes an object's property
 * names with every message and the other side reads them back, which a batch of one request
 * (the classic port's) felt (bench/report/engine-path.md).
 */
export type PackedColumns = readonly [
  counts: readonly [
    accounts: number,
    positions: number,
    orders: number,
    updates: number,
    executions: number,
  ],
  values: Float64Array,
  names: readonly string[],
  deposited: readonly bigint[],
  terms: ChangeColumns['terms'],
  symbols: Flat,
  orderReshapes: Flat,
  cancels: Flat,
  amendments: Flat,
];

/** Values per packed row, by table. */
const ACCOUNT = 3;
const SYMBOL = 3;
const POSITION = 3;
/** An order's ten own fields, then its six terms (all null for a plain limit order). */
const ORDER = 16;
const UPDATE = 2;
const RESHAPE = 5;
const EXECUTION = 8;
const CANCEL = 3;
const AMENDMENT = 4;

/** What an empty table packs to: most of a small batch's tables are empty. */
const NONE = Object.freeze([]) as unknown as unknown[];

/** A new array to push a table's values into, or, for an empty table, the shared empty one. */
const valuesOf = (rows: readonly unknown[]): unknown[] => (rows.length === 0 ? NONE : []);

export function packChangeSet(c: ChangeSet): PackedChangeSet {
  if (c instanceof ColumnarChangeSet) return packColumns(c.columns);
  const accounts = valuesOf(c.accounts);
  for (const a of c.accounts) accounts.push(a.id, a.cash, a.deposited);
  const positions = valuesOf(c.positions);
  for (const p of c.positions) positions.push(p.account, p.sym, p.shares);
  const orders = valuesOf(c.newOrders);
  for (const o of c.newOrders) {
    orders.push(o.id, o.account, o.sym, o.isBuy, o.shares, o.limit, o.open, o.time);
    orders.push(o.triggeredAt, o.priority);
    if (o.type === undefined) orders.push(null, null, null, null, null, null);
    else orders.push(o.type, o.tif, o.stop, o.stp, o.makerFee, o.takerFee);
  }
  const updates = valuesOf(c.orderUpdates);
  for (const u of c.orderUpdates) updates.push(u.id, u.open);
  const executions = valuesOf(c.executions);
  for (const e of c.executions) {
    executions.push(e.sym, e.buyOrderId, e.sellOrderId, e.shares, e.price, e.time);
    executions.push(e.buyFee, e.sellFee);
  }
  const symbols = packSymbols(c.symbols);
  const reshapes = packReshapes(c.orderReshapes);
  const cancels = packCancels(c.cancels);
  const amendments = packAmendments(c.amendments);
  return [accounts, symbols, positions, orders, updates, reshapes, executions, cancels, amendments];
}

function packColumns(c: ChangeColumns): PackedColumns {
  return [
    [c.accountCount, c.positionCount, c.orderCount, c.updateCount, c.executionCount],
    c.values,
    c.names,
    c.deposited,
    c.terms,
    packSymbols(c.symbols),
    packReshapes(c.orderReshapes),
    packCancels(c.cancels),
    packAmendments(c.amendments),
  ];
}

function packSymbols(rows: readonly SymbolRow[]): Flat {
  const symbols = valuesOf(rows);
  for (const s of rows) symbols.push(s.sym, s.granted, s.seq);
  return symbols;
}

function packReshapes(rows: readonly OrderReshape[]): Flat {
  const reshapes = valuesOf(rows);
  for (const r of rows) reshapes.push(r.id, r.open, r.limit, r.triggeredAt, r.priority);
  return reshapes;
}

function packCancels(rows: readonly CancelRow[]): Flat {
  const cancels = valuesOf(rows);
  for (const x of rows) cancels.push(x.orderId, x.shares, x.time);
  return cancels;
}

function packAmendments(rows: readonly AmendmentRow[]): Flat {
  const amendments = valuesOf(rows);
  for (const a of rows) amendments.push(a.orderId, a.open, a.limit, a.time);
  return amendments;
}

/** The ChangeSet `packChangeSet` packed, row for row. */
export function unpackChangeSet(p: PackedChangeSet): ChangeSet {
  if (isPackedColumns(p)) return unpackColumns(p);
  const [a, s, pos, o, u, r, e, x, am] = p;
  const accounts: AccountRow[] = [];
  for (let i = 0; i < a.length; i += ACCOUNT) {
    accounts.push({ id: a[i] as string, cash: a[i + 1] as Units, deposited: a[i + 2] as Units });
  }
  const positions: PositionRow[] = [];
  for (let i = 0; i < pos.length; i += POSITION) {
    positions.push({
      account: pos[i] as string,
      sym: pos[i + 1] as string,
      shares: pos[i + 2] as Units,
    });
  }
  const newOrders: OrderRow[] = [];
  for (let i = 0; i < o.length; i += ORDER) newOrders.push(unpackOrder(o, i));
  const orderUpdates: OrderOpenUpdate[] = [];
  for (let i = 0; i < u.length; i += UPDATE) {
    orderUpdates.push({ id: u[i] as number, open: u[i + 1] as Units });
  }
  const executions: ExecutionRow[] = [];
  for (let i = 0; i < e.length; i += EXECUTION) {
    executions.push({
      sym: e[i] as string,
      buyOrderId: e[i + 1] as number,
      sellOrderId: e[i + 2] as number,
      shares: e[i + 3] as Units,
      price: e[i + 4] as Units,
      time: e[i + 5] as number,
      buyFee: e[i + 6] as bigint | null,
      sellFee: e[i + 7] as bigint | null,
    });
  }
  return {
    accounts,
    symbols: unpackSymbols(s),
    positions,
    newOrders,
    orderUpdates,
    orderReshapes: unpackReshapes(r),
    executions,
    cancels: unpackCancels(x),
    amendments: unpackAmendments(am),
  };
}

const isPackedColumns = (p: PackedChangeSet): p is PackedColumns => ArrayBuffer.isView(p[1]);

function unpackColumns(p: PackedColumns): ChangeSet {
  const [counts, values, names, deposited, terms, s, r, x, am] = p;
  return new ColumnarChangeSet({
    accountCount: counts[0],
    positionCount: counts[1],
    orderCount: counts[2],
    updateCount: counts[3],
    executionCount: counts[4],
    values,
    names,
    deposited,
    terms,
    symbols: unpackSymbols(s),
    orderReshapes: unpackReshapes(r),
    cancels: unpackCancels(x),
    amendments: unpackAmendments(am),
  });
}

function unpackSymbols(s: Flat): SymbolRow[] {
  const symbols: SymbolRow[] = [];
  for (let i = 0; i < s.length; i += SYMBOL) {
    symbols.push({ sym: s[i] as string, granted: s[i + 1] as Units, seq: s[i + 2] as number });
  }
  return symbols;
}

function unpackReshapes(r: Flat): OrderReshape[] {
  const orderReshapes: OrderReshape[] = [];
  for (let i = 0; i < r.length; i += RESHAPE) {
    orderReshapes.push({
      id: r[i] as number,
      open: r[i + 1] as Units,
      limit: r[i + 2] as Units,
      triggeredAt: r[i + 3] as number | null,
      priority: r[i + 4] as number,
    });
  }
  return orderReshapes;
}

function unpackCancels(x: Flat): CancelRow[] {
  const cancels: CancelRow[] = [];
  for (let i = 0; i < x.length; i += CANCEL) {
    cancels.push({ orderId: x[i] as number, shares: x[i + 1] as Units, time: x[i + 2] as number });
  }
  return cancels;
}

function unpackAmendments(am: Flat): AmendmentRow[] {
  const amendments: AmendmentRow[] = [];
  for (let i = 0; i < am.length; i += AMENDMENT) {
    amendments.push({
      orderId: am[i] as number,
      open: am[i + 1] as Units,
      limit: am[i + 2] as Units,
      time: am[i + 3] as number,
    });
  }
  return amendments;
}

function unpackOrder(o: readonly unknown[], i: number): OrderRow {
  const row = {
    id: o[i] as number,
    account: o[i + 1] as string,
    sym: o[i + 2] as string,
    isBuy: o[i + 3] as boolean,
    shares: o[i + 4] as Units,
    limit: o[i + 5] as Units,
    open: o[i + 6] as Units,
    time: o[i + 7] as number,
    triggeredAt: o[i + 8] as number | null,
    priority: o[i + 9] as number,
  };
  const type = o[i + 10] as OrderRow['type'] | null;
  if (type === null) return row;
  return {
    ...row,
    type,
    tif: o[i + 11] as NonNullable<OrderRow['tif']>,
    stop: o[i + 12] as bigint | null,
    stp: o[i + 13] as NonNullable<OrderRow['stp']> | null,
    makerFee: o[i + 14] as bigint,
    takerFee: o[i + 15] as bigint,
  };
}
