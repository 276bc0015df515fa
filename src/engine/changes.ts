// What one batch changed, as plain values: the store writes exactly this in one
// transaction. Values are copied out of the engine when the batch closes, so the engine
// may go on mutating its objects while the store is still writing.

import type { OrderType, SelfTradePrevention, TimeInForce } from './commands.js';
import type { Units } from '../decimal/units.js';
import type { OrderTerms } from './order.js';

export type { Units };

export interface AccountRow<V extends Units = Units> {
  readonly id: string;
  /** CASH_SCALE */
  readonly cash: V;
  /** CASH_SCALE: the balance the account was created with. */
  readonly deposited: V;
}

export interface SymbolRow<V extends Units = Units> {
  readonly sym: string;
  /** SHARE_SCALE: all shares ever granted in this symbol. */
  readonly granted: V;
  /** The number of the book's last market-data event (0: none yet). */
  readonly seq: number;
}

export interface PositionRow<V extends Units = Units> {
  readonly account: string;
  readonly sym: string;
  /** SHARE_SCALE */
  readonly shares: V;
}

/** What an order is beyond a plain limit order: all of it in a row, or none (a plain one). */
export interface OrderRowTerms {
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** Stop price (PRICE_SCALE) of a stop-limit order, else null. */
  readonly stop: bigint | null;
  readonly stp: SelfTradePrevention | null;
  /** Fee rates (FEE_SCALE) the order was accepted with: it pays these (0: none). */
  readonly makerFee: bigint;
  readonly takerFee: bigint;
}

/** A plain limit order's terms, with no fees. */
export const PLAIN_ROW_TERMS: OrderRowTerms = Object.freeze({
  type: 'limit',
  tif: 'GTC',
  stop: null,
  stp: null,
  makerFee: 0n,
  takerFee: 0n,
});

/**
 * An order as the store keeps it. The engine leaves the terms out of a plain limit order's
 * row (most rows, and a good part of a batch's allocation); stores read them back whole.
 */
export interface OrderRow<V extends Units = Units> extends Partial<OrderRowTerms> {
  readonly id: number;
  readonly account: string;
  readonly sym: string;
  readonly isBuy: boolean;
  /** Original size, SHARE_SCALE, positive. */
  readonly shares: V;
  /** PRICE_SCALE; the current limit (an amend may change it); 0 for a market order. */
  readonly limit: V;
  /** Open shares now, SHARE_SCALE. */
  readonly open: V;
  readonly time: number;
  /** When a stop order was triggered; null while it waits, and for other orders. */
  readonly triggeredAt: number | null;
  /**
   * Place in its price level's queue: lower is earlier. Given when the order joins the book
   * (again after an amend of its limit or a trigger); 0 for an order that never rested.
   */
  readonly priority: number;
}

/**
 * An order's row with the terms of an order that is not a plain limit order, as one literal:
 * the row spread into a larger object took V8's slow path for every such order (maps built
 * and objects migrated at run time: 30% of the instructions of a flow with 5% IOC orders,
 * `bench/report/engine-path.md`).
 */
export function rowWithTerms<V extends Units>(row: OrderRow<V>, terms: OrderTerms): OrderRow<V> {
  return {
    id: row.id,
    account: row.account,
    sym: row.sym,
    isBuy: row.isBuy,
    shares: row.shares,
    limit: row.limit,
    open: row.open,
    time: row.time,
    triggeredAt: row.triggeredAt,
    priority: row.priority,
    type: terms.type,
    tif: terms.tif,
    stop: terms.stop,
    stp: terms.stp,
    makerFee: terms.maker,
    takerFee: terms.taker,
  };
}

/** A row's terms: its own, or a plain limit order's when it leaves them out. */
export function termsOf(row: OrderRow): OrderRowTerms {
  return row.type === undefined ? PLAIN_ROW_TERMS : (row as OrderRowTerms);
}

/** An order's open shares after executions: the common update. */
export interface OrderOpenUpdate<V extends Units = Units> {
  readonly id: number;
  readonly open: V;
}

/** An order changed beyond its open shares (amended, triggered): every mutable field. */
export interface OrderReshape<V extends Units = Units> {
  readonly id: number;
  readonly open: V;
  readonly limit: V;
  readonly triggeredAt: number | null;
  readonly priority: number;
}

export interface ExecutionRow<V extends Units = Units> {
  readonly sym: string;
  readonly buyOrderId: number;
  readonly sellOrderId: number;
  readonly shares: V;
  readonly price: V;
  readonly time: number;
  /** Fees (CASH_SCALE) paid by each side; null when fees were off. */
  readonly buyFee: bigint | null;
  readonly sellFee: bigint | null;
}

export interface AmendmentRow<V extends Units = Units> {
  readonly orderId: number;
  /** Open shares after the amend. */
  readonly open: V;
  /** Limit after the amend. */
  readonly limit: V;
  readonly time: number;
}

export interface CancelRow<V extends Units = Units> {
  readonly orderId: number;
  readonly shares: V;
  readonly time: number;
}

export interface ChangeSet {
  readonly accounts: AccountRow[];
  readonly symbols: SymbolRow[];
  readonly positions: PositionRow[];
  readonly newOrders: OrderRow[];
  readonly orderUpdates: OrderOpenUpdate[];
  /** Orders amended or triggered in the batch (their open shares are here too). */
  readonly orderReshapes: OrderReshape[];
  /** In execution order: the store keeps that order, it is each order's fill order. */
  readonly executions: ExecutionRow[];
  readonly cancels: CancelRow[];
  /** In amend order. */
  readonly amendments: AmendmentRow[];
  /** Whether it changed nothing, where that is known without reading its rows (columns). */
  readonly isEmpty?: boolean;
}

/** The whole state, as the store loads it at start; its amounts are bigints. */
export interface Snapshot {
  readonly accounts: AccountRow<bigint>[];
  readonly symbols: SymbolRow<bigint>[];
  readonly positions: PositionRow<bigint>[];
  /**
   * In id order (id order is arrival order): every order, or the open ones (see `scope`).
   * May be a one-pass stream (a store's cursor): read it once.
   */
  readonly orders: Iterable<OrderRow<bigint>>;
  /** In execution order. */
  readonly executions: ExecutionRow<bigint>[];
  readonly cancels: CancelRow<bigint>[];
  /** In amend order: of every order ('all') or of the open ones ('live'). */
  readonly amendments: AmendmentRow<bigint>[];
  /**
   * 'all' (the default): every order ever accepted, with every execution and cancel, as
   * `exchange inspect` reads it. 'live': what the engine needs to serve, as a restart reads
   * it: the open orders and their executions; closed orders stay in the store, which answers
   * queries of them, so a restart costs the open book, not the whole history.
   */
  readonly scope?: 'all' | 'live';
  /** The next order id to issue, when the orders do not say (a live snapshot). */
  readonly nextOrderId?: number;
  /**
   * The next place in a price level's queue to give, when the orders do not say: an engine
   * handing its state to another passes it on, so the two number queues alike.
   */
  readonly nextPriority?: number;
}

/** A batch that changed nothing, to build on. */
export function emptyChangeSet(): ChangeSet {
  return {
    accounts: [],
    symbols: [],
    positions: [],
    newOrders: [],
    orderUpdates: [],
    orderReshapes: [],
    executions: [],
    cancels: [],
    amendments: [],
  };
}

export function isEmptyChangeSet(c: ChangeSet): boolean {
  if (c.isEmpty !== undefined) return c.isEmpty;
  return (
    c.accounts.length === 0 &&
    c.symbols.length === 0 &&
    c.positions.length === 0 &&
    c.newOrders.length === 0 &&
    c.orderUpdates.length === 0 &&
    c.orderReshapes.length === 0 &&
    c.amendments.length === 0 &&
    c.executions.length === 0 &&
    c.cancels.length === 0
  );
}
