// How numbers travel to and from database text columns: plain decimal text at the
// quantity's own scale, read back exactly. Shared by every SQL store.

import type { ArchivedOrder } from '../engine/archive.js';
import {
  termsOf,
  type AmendmentRow,
  type ExecutionRow,
  type OrderRow,
  type Snapshot,
} from '../engine/changes.js';
import type {
  Amendment,
  OrderStatus,
  OrderType,
  SelfTradePrevention,
  TimeInForce,
} from '../engine/commands.js';
import {
  CASH_SCALE,
  PRICE_SCALE,
  SHARE_SCALE,
  formatDecimal,
  parseDecimal,
} from '../decimal/fixed.js';
import { formatUnits, type Units } from '../decimal/units.js';
import { FEE_SCALE } from '../engine/fees.js';
import { fillOf } from '../engine/order.js';

/** Stored totals may outgrow request limits (cash accumulates), so reading allows more. */
const STORED_INTEGER_DIGITS = 60;

function read(text: string, scale: number, column: string): bigint {
  const parsed = parseDecimal(text, scale, STORED_INTEGER_DIGITS);
  if (!parsed.ok) throw new Error(`corrupt ${column} value in the store: ${JSON.stringify(text)}`);
  return parsed.value;
}

// Amounts of change rows come as Units (the column engine's are doubles); stored, read back
// and snapshotted they are bigints.
export const cashText = (v: Units): string => formatUnits(v, CASH_SCALE);
export const sharesText = (v: Units): string => formatUnits(v, SHARE_SCALE);
export const priceText = (v: Units): string => formatUnits(v, PRICE_SCALE);

export const feeRateText = (v: bigint): string => formatDecimal(v, FEE_SCALE);

export const readCash = (text: string): bigint => read(text, CASH_SCALE, 'cash');
export const readShares = (text: string): bigint => read(text, SHARE_SCALE, 'shares');
export const readPrice = (text: string): bigint => read(text, PRICE_SCALE, 'price');

/** The orders table's columns that make an order row, in the order the snapshot reads them. */
export const ORDER_COLUMN_NAMES = [
  ...['id', 'account_id', 'symbol', 'side', 'shares', 'limit_price', 'open_shares', 'created_at'],
  ...['order_type', 'tif', 'stop_price', 'stp', 'triggered_at', 'priority', 'maker_fee'],
  'taker_fee',
] as const;
export const ORDER_COLUMNS = ORDER_COLUMN_NAMES.join(', ');
export const EXECUTION_COLUMNS =
  'symbol, buy_order_id, sell_order_id, shares, price, executed_at, buy_fee, sell_fee';
export const AMENDMENT_COLUMNS = 'order_id, open_shares, limit_price, amended_at';

/** An order's rows as SQL stores return them (numbers as text), as an archived order. */
export interface StoredOrderRows {
  readonly order: Row;
  /** The order's executions, in execution order. */
  readonly fills: readonly Row[];
  readonly cancel: { shares: string; canceled_at: string | number } | undefined;
  /** The order's amends, in amend order. */
  readonly amendments: readonly Row[];
}

export function archivedOrderFromRows({
  order,
  fills,
  cancel,
  amendments,
}: StoredOrderRows): ArchivedOrder {
  return archivedOrder(
    orderFromRow(order),
    fills.map((f) => ({
      shares: readShares(String(f.shares)),
      price: readPrice(String(f.price)),
      time: Number(f.executed_at),
      buyFee: isNull(f.buy_fee) ? null : readCash(String(f.buy_fee)),
      sellFee: isNull(f.sell_fee) ? null : readCash(String(f.sell_fee)),
    })),
    cancel === undefined
      ? undefined
      : { shares: readShares(String(cancel.shares)), time: Number(cancel.canceled_at) },
    amendments.map(amendmentOf),
  );
}

type StoredFill = Pick<ExecutionRow<bigint>, 'shares' | 'price' | 'time' | 'buyFee' | 'sellFee'>;

/**
 * A stored order and its history as an archived order, its status built as Order.status()
 * builds it (every store answers alike, and as the engine would have).
 */
export function archivedOrder(
  order: OrderRow<bigint>,
  fills: readonly StoredFill[],
  cancel: { readonly shares: bigint; readonly time: number } | undefined,
  amendments: readonly Amendment[],
): ArchivedOrder {
  const terms = termsOf(order);
  const status: { -readonly [K in keyof OrderStatus]: OrderStatus[K] } = {
    open: order.open,
    canceled: cancel === undefined ? null : { shares: cancel.shares, time: cancel.time },
    fills: fills.map((f) => fillOf(f, order.isBuy)),
  };
  // A stop not yet triggered that still has open shares is waiting: its status shows the stop.
  if (terms.stop !== null && order.triggeredAt === null && order.open > 0n) {
    status.stop = terms.stop;
  }
  if (amendments.length > 0) {
    status.amendments = amendments.map(({ open, limit, time }) => ({ open, limit, time }));
  }
  return {
    account: order.account,
    sym: order.sym,
    isBuy: order.isBuy,
    shares: order.shares,
    limit: order.limit,
    time: order.time,
    type: terms.type,
    tif: terms.tif,
    stop: terms.stop,
    stp: terms.stp,
    status,
  };
}

/** One order's own row, as archivedOrderFromRows reads it (`?` or `$1` is its id). */
export const selectArchivedOrder = (placeholder: string): string =>
  `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ${placeholder}`;

/** One order's executions, in execution order (`?` or `$1` is its id, given twice for `?`). */
export const selectArchivedFills = (placeholder: string): string =>
  `SELECT shares, price, executed_at, buy_fee, sell_fee FROM executions WHERE buy_order_id = ${placeholder} OR sell_order_id = ${placeholder} ORDER BY id`;

/** One order's amends, in amend order. */
export const selectArchivedAmendments = (placeholder: string): string =>
  `SELECT ${AMENDMENT_COLUMNS} FROM amendments WHERE order_id = ${placeholder} ORDER BY id`;

/** The queries that read a whole snapshot; the same SQL on every SQL store. */
export const SNAPSHOT_QUERIES = {
  accounts: 'SELECT id, balance, deposited FROM accounts',
  symbols: 'SELECT symbol, granted, seq FROM symbols',
  positions: 'SELECT account_id, symbol, shares FROM positions',
  orders: `SELECT ${ORDER_COLUMNS} FROM orders ORDER BY id`,
  executions: `SELECT ${EXECUTION_COLUMNS} FROM executions ORDER BY id`,
  cancels: 'SELECT order_id, shares, canceled_at FROM cancels',
  amendments: `SELECT ${AMENDMENT_COLUMNS} FROM amendments ORDER BY id`,
} as const;

/**
 * The queries of a live snapshot (what a restart loads): the open orders (waiting stops
 * included: they hold open shares), their executions and amends, and the id counter. `open`
 * is the store's test for an open order (decimal text in SQLite, numeric in PostgreSQL). The
 * open orders are found by scanning the orders table: an index on them would cost every
 * commit more than it saves a restart.
 */
export function liveSnapshotQueries(
  open: string,
): Record<keyof typeof SNAPSHOT_QUERIES, string> & { next: string } {
  const openIds = `SELECT id FROM orders WHERE ${open}`;
  const columns = `id, ${EXECUTION_COLUMNS}`;
  return {
    ...SNAPSHOT_QUERIES,
    orders: `SELECT ${ORDER_COLUMNS} FROM orders WHERE ${open} ORDER BY id`,
    // Two index lookups joined, rather than one OR that scans every execution.
    executions:
      `SELECT ${columns} FROM executions WHERE buy_order_id IN (${openIds}) UNION ` +
      `SELECT ${columns} FROM executions WHERE sell_order_id IN (${openIds}) ORDER BY id`,
    // A canceled order has nothing open: no open order has a cancel.
    cancels: 'SELECT order_id, shares, canceled_at FROM cancels WHERE false',
    amendments: `SELECT ${AMENDMENT_COLUMNS} FROM amendments WHERE order_id IN (${openIds}) ORDER BY id`,
    next: 'SELECT COALESCE(MAX(id), 0) + 1 AS next FROM orders',
  };
}

export type Row = Record<string, unknown>;
export type SnapshotRows = Record<keyof typeof SNAPSHOT_QUERIES, Row[]>;

const ORDER_TYPES: ReadonlySet<string> = new Set<OrderType>(['limit', 'market']);
const TIMES_IN_FORCE: ReadonlySet<string> = new Set<TimeInForce>(['GTC', 'IOC', 'FOK']);
const STPS: ReadonlySet<string> = new Set<SelfTradePrevention>([
  'cancel-resting',
  'cancel-incoming',
  'cancel-both',
]);

/** A text column that must hold one of `allowed`: the schema checks it, a copy may not. */
function oneOf<T extends string>(value: unknown, allowed: ReadonlySet<string>, column: string): T {
  const text = String(value);
  if (!allowed.has(text))
    throw new Error(`corrupt ${column} in the store: ${JSON.stringify(text)}`);
  return text as T;
}

const isNull = (v: unknown): v is null | undefined => v === null || v === undefined;

/** An orders row as a SQL driver returns it (text or numbers) → an order row. */
export function orderFromRow(r: Row): OrderRow<bigint> {
  return {
    id: Number(r.id),
    account: String(r.account_id),
    sym: String(r.symbol),
    isBuy: r.side === 'buy',
    shares: readShares(String(r.shares)),
    limit: readPrice(String(r.limit_price)),
    open: readShares(String(r.open_shares)),
    time: Number(r.created_at),
    type: oneOf<OrderType>(r.order_type, ORDER_TYPES, 'order type'),
    tif: oneOf<TimeInForce>(r.tif, TIMES_IN_FORCE, 'time in force'),
    stop: isNull(r.stop_price) ? null : readPrice(String(r.stop_price)),
    stp: isNull(r.stp) ? null : oneOf<SelfTradePrevention>(r.stp, STPS, 'self-trade prevention'),
    triggeredAt: isNull(r.triggered_at) ? null : Number(r.triggered_at),
    priority: Number(r.priority),
    makerFee: read(String(r.maker_fee), FEE_SCALE, 'maker fee'),
    takerFee: read(String(r.taker_fee), FEE_SCALE, 'taker fee'),
  };
}

/** The newest executions, newest first (`$1` or `?` is the limit); callers reverse them. */
export const selectRecentExecutions = (placeholder: string): string =>
  `SELECT ${EXECUTION_COLUMNS} FROM executions ORDER BY id DESC LIMIT ${placeholder}`;

/** An executions row as a SQL driver returns it (text or numbers) → an execution row. */
export function executionFromRow(r: Row): ExecutionRow<bigint> {
  return {
    sym: String(r.symbol),
    buyOrderId: Number(r.buy_order_id),
    sellOrderId: Number(r.sell_order_id),
    shares: readShares(String(r.shares)),
    price: readPrice(String(r.price)),
    time: Number(r.executed_at),
    buyFee: isNull(r.buy_fee) ? null : readCash(String(r.buy_fee)),
    sellFee: isNull(r.sell_fee) ? null : readCash(String(r.sell_fee)),
  };
}

function amendmentOf(r: Row): Amendment {
  return {
    open: readShares(String(r.open_shares)),
    limit: readPrice(String(r.limit_price)),
    time: Number(r.amended_at),
  };
}

/** An amendments row as a SQL driver returns it → an amendment row. */
export function amendmentFromRow(r: Row): AmendmentRow<bigint> {
  return { orderId: Number(r.order_id), ...amendmentOf(r) };
}

/** Rows as a SQL driver returns them (text or numbers) → the snapshot. */
export function snapshotFromRows(
  rows: SnapshotRows,
  live?: { readonly nextOrderId: number },
): Snapshot {
  const text = (v: unknown): string => String(v);
  return {
    ...(live === undefined ? {} : { scope: 'live' as const, nextOrderId: live.nextOrderId }),
    accounts: rows.accounts.map((r) => ({
      id: text(r.id),
      cash: readCash(text(r.balance)),
      deposited: readCash(text(r.deposited)),
    })),
    symbols: rows.symbols.map((r) => ({
      sym: text(r.symbol),
      granted: readShares(text(r.granted)),
      seq: Number(r.seq),
    })),
    positions: rows.positions.map((r) => ({
      account: text(r.account_id),
      sym: text(r.symbol),
      shares: readShares(text(r.shares)),
    })),
    orders: rows.orders.map(orderFromRow),
    executions: rows.executions.map(executionFromRow),
    cancels: rows.cancels.map((r) => ({
      orderId: Number(r.order_id),
      shares: readShares(text(r.shares)),
      time: Number(r.canceled_at),
    })),
    amendments: rows.amendments.map(amendmentFromRow),
  };
}
