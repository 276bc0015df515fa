// How numbers travel to and from database text columns: plain decimal text at the
// quantity's own scale, read back exactly. Shared by every SQL store.

import type { ArchivedOrder } from '../engine/archive.js';
import type { ExecutionRow, OrderRow, Snapshot } from '../engine/changes.js';
import {
  CASH_SCALE,
  PRICE_SCALE,
  SHARE_SCALE,
  formatDecimal,
  parseDecimal,
} from '../decimal/fixed.js';

/** Stored totals may outgrow request limits (cash accumulates), so reading allows more. */
const STORED_INTEGER_DIGITS = 60;

function read(text: string, scale: number, column: string): bigint {
  const parsed = parseDecimal(text, scale, STORED_INTEGER_DIGITS);
  if (!parsed.ok) throw new Error(`corrupt ${column} value in the store: ${JSON.stringify(text)}`);
  return parsed.value;
}

export const cashText = (v: bigint): string => formatDecimal(v, CASH_SCALE);
export const sharesText = (v: bigint): string => formatDecimal(v, SHARE_SCALE);
export const priceText = (v: bigint): string => formatDecimal(v, PRICE_SCALE);

export const readCash = (text: string): bigint => read(text, CASH_SCALE, 'cash');
export const readShares = (text: string): bigint => read(text, SHARE_SCALE, 'shares');
export const readPrice = (text: string): bigint => read(text, PRICE_SCALE, 'price');

/** An order's rows as SQL stores return them (numbers as text), as an archived order. */
export interface StoredOrderRows {
  readonly order: {
    account_id: string;
    symbol: string;
    side: string;
    shares: string;
    limit_price: string;
    open_shares: string;
    created_at: string | number;
  };
  readonly fills: readonly { shares: string; price: string; executed_at: string | number }[];
  readonly cancel: { shares: string; canceled_at: string | number } | undefined;
}

export function archivedOrderFromRows({ order, fills, cancel }: StoredOrderRows): ArchivedOrder {
  return {
    account: order.account_id,
    sym: order.symbol,
    isBuy: order.side === 'buy',
    shares: readShares(order.shares),
    limit: readPrice(order.limit_price),
    time: Number(order.created_at),
    status: {
      open: readShares(order.open_shares),
      canceled:
        cancel === undefined
          ? null
          : { shares: readShares(cancel.shares), time: Number(cancel.canceled_at) },
      fills: fills.map((f) => ({
        shares: readShares(f.shares),
        price: readPrice(f.price),
        time: Number(f.executed_at),
      })),
    },
  };
}

/** One order's own row, as archivedOrderFromRows reads it (`?` or `$1` is its id). */
export const selectArchivedOrder = (placeholder: string): string =>
  `SELECT account_id, symbol, side, shares, limit_price, open_shares, created_at FROM orders WHERE id = ${placeholder}`;

/** The queries that read a whole snapshot; the same SQL on every SQL store. */
export const SNAPSHOT_QUERIES = {
  accounts: 'SELECT id, balance, deposited FROM accounts',
  symbols: 'SELECT symbol, granted FROM symbols',
  positions: 'SELECT account_id, symbol, shares FROM positions',
  orders:
    'SELECT id, account_id, symbol, side, shares, limit_price, open_shares, created_at FROM orders ORDER BY id',
  executions:
    'SELECT symbol, buy_order_id, sell_order_id, shares, price, executed_at FROM executions ORDER BY id',
  cancels: 'SELECT order_id, shares, canceled_at FROM cancels',
} as const;

/**
 * The queries of a live snapshot (what a restart loads): the open orders and their
 * executions, and the id counter. `open` is the store's test for an open order (decimal text
 * in SQLite, numeric in PostgreSQL). The open orders are found by scanning the orders table:
 * an index on them would cost every commit more than it saves a restart.
 */
export function liveSnapshotQueries(
  open: string,
): Record<keyof typeof SNAPSHOT_QUERIES, string> & { next: string } {
  const openIds = `SELECT id FROM orders WHERE ${open}`;
  const columns = 'id, symbol, buy_order_id, sell_order_id, shares, price, executed_at';
  return {
    ...SNAPSHOT_QUERIES,
    orders: `SELECT id, account_id, symbol, side, shares, limit_price, open_shares, created_at FROM orders WHERE ${open} ORDER BY id`,
    // Two index lookups joined, rather than one OR that scans every execution.
    executions:
      `SELECT ${columns} FROM executions WHERE buy_order_id IN (${openIds}) UNION ` +
      `SELECT ${columns} FROM executions WHERE sell_order_id IN (${openIds}) ORDER BY id`,
    // A canceled order has nothing open: no open order has a cancel.
    cancels: 'SELECT order_id, shares, canceled_at FROM cancels WHERE false',
    next: 'SELECT COALESCE(MAX(id), 0) + 1 AS next FROM orders',
  };
}

export type Row = Record<string, unknown>;
export type SnapshotRows = Record<keyof typeof SNAPSHOT_QUERIES, Row[]>;

/** An orders row as a SQL driver returns it (text or numbers) → an order row. */
export function orderFromRow(r: Row): OrderRow {
  return {
    id: Number(r.id),
    account: String(r.account_id),
    sym: String(r.symbol),
    isBuy: r.side === 'buy',
    shares: readShares(String(r.shares)),
    limit: readPrice(String(r.limit_price)),
    open: readShares(String(r.open_shares)),
    time: Number(r.created_at),
  };
}

/** The newest executions, newest first (`$1` or `?` is the limit); callers reverse them. */
export const selectRecentExecutions = (placeholder: string): string =>
  `SELECT symbol, buy_order_id, sell_order_id, shares, price, executed_at FROM executions ORDER BY id DESC LIMIT ${placeholder}`;

/** An executions row as a SQL driver returns it (text or numbers) → an execution row. */
export function executionFromRow(r: Row): ExecutionRow {
  return {
    sym: String(r.symbol),
    buyOrderId: Number(r.buy_order_id),
    sellOrderId: Number(r.sell_order_id),
    shares: readShares(String(r.shares)),
    price: readPrice(String(r.price)),
    time: Number(r.executed_at),
  };
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
  };
}
