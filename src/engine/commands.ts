// The typed requests the engine applies and the results it returns. Requests are already
// validated as far as the text alone allows; a child whose text was bad arrives as
// `invalid` so that it still gets its reply in document order.

import type { ExchangeError } from './errors.js';
import type { Count } from '../decimal/units.js';

/** Attribute name/value pairs echoed back, in order, on a reply element. */
export type Echo = ReadonlyArray<readonly [string, string]>;

export interface CreateAccount {
  readonly kind: 'account';
  readonly id: string;
  /** Cash at CASH_SCALE. */
  readonly balance: bigint;
}

export interface Grant {
  readonly kind: 'grant';
  readonly sym: string;
  readonly id: string;
  /** Shares at SHARE_SCALE. */
  readonly shares: bigint;
}

/** Creates a symbol when it is missing; emitted once per valid <symbol> element, before its grants. */
export interface CreateSymbol {
  readonly kind: 'symbol';
  readonly sym: string;
}

export type OrderType = 'limit' | 'market';
/** Time in force: good till canceled, immediate or cancel, fill or kill. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
/** Self-trade prevention: what is canceled when an order meets its own account's order. */
export type SelfTradePrevention = 'cancel-resting' | 'cancel-incoming' | 'cancel-both';

export interface PlaceOrder {
  readonly kind: 'order';
  readonly sym: string;
  /** Signed shares at SHARE_SCALE: positive buys, negative sells. Never zero. */
  readonly amount: bigint;
  /** Limit price at PRICE_SCALE, positive; null for a market order. */
  readonly limit: bigint | null;
  /**
   * `amount` and `limit` again as doubles when they are safe integers, else NaN (and NaN for
   * no limit): what the column engine computes with (decimal/fixed.ts, safeUnits).
   */
  readonly amountUnits: number;
  readonly limitUnits: number;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** Stop price at PRICE_SCALE for a stop-limit order, else null. */
  readonly stop: bigint | null;
  readonly stp: SelfTradePrevention | null;
  /** The attributes exactly as sent: sym, amount, limit, type, stop, tif, stp (those present). */
  readonly echo: Echo;
}

/** A new open amount and/or a new limit for a resting order (an extension). */
export interface AmendOrder {
  readonly kind: 'amend';
  readonly orderId: number;
  /** New open shares at SHARE_SCALE, positive; null keeps them. */
  readonly amount: bigint | null;
  /** New limit at PRICE_SCALE, positive; null keeps it. */
  readonly limit: bigint | null;
  readonly echo: Echo;
}

export interface QueryOrder {
  readonly kind: 'query';
  readonly orderId: number;
  readonly echo: Echo;
}

export interface CancelOrder {
  readonly kind: 'cancel';
  readonly orderId: number;
  readonly echo: Echo;
}

/** A child that failed validation: answered with its error, changes nothing. */
export interface InvalidChild {
  readonly kind: 'invalid';
  readonly echo: Echo;
  readonly error: ExchangeError;
}

export type CreateChild = CreateAccount | CreateSymbol | Grant | InvalidChild;
export type TransactionChild = PlaceOrder | QueryOrder | CancelOrder | AmendOrder | InvalidChild;

export interface CreateRequest {
  readonly kind: 'create';
  readonly children: readonly CreateChild[];
}

export interface TransactionsRequest {
  readonly kind: 'transactions';
  readonly account: string;
  readonly children: readonly TransactionChild[];
}

export type Request = CreateRequest | TransactionsRequest;

/**
 * Amounts of a result: `bigint`s from the classic engine, safe integers in doubles from the
 * column engine (decimal/units.ts); the replies write both alike.
 */
export type { Count };

export interface Fill<V extends Count = Count> {
  readonly shares: V;
  readonly price: V;
  readonly time: number;
  /** Cash at CASH_SCALE this order paid on it; absent when fees were off. */
  readonly fee?: bigint;
}

/** One amend of an order, as its history reports it. */
export interface Amendment {
  /** Open shares after the amend, SHARE_SCALE. */
  readonly open: bigint;
  /** Limit after the amend, PRICE_SCALE. */
  readonly limit: bigint;
  readonly time: number;
}

export interface CancelRecord<V extends Count = Count> {
  readonly shares: V;
  readonly time: number;
}

/** An order's history as a reply reports it; a snapshot, safe to keep after later matches. */
export interface OrderStatus<V extends Count = Count> {
  /** Open shares; 0 when fully executed or canceled. */
  readonly open: V;
  readonly canceled: CancelRecord<V> | null;
  readonly fills: readonly Fill<V>[];
  /** The stop price while a stop order waits to be triggered; absent otherwise. */
  readonly stop?: bigint;
  /** Amends, oldest first; absent when there were none. */
  readonly amendments?: readonly Amendment[];
}

export type Result =
  | { readonly kind: 'created'; readonly id: string }
  | { readonly kind: 'granted'; readonly sym: string; readonly id: string }
  | { readonly kind: 'opened'; readonly echo: Echo; readonly orderId: number }
  | { readonly kind: 'status'; readonly echo: Echo; readonly status: OrderStatus }
  | { readonly kind: 'canceled'; readonly echo: Echo; readonly status: OrderStatus }
  | {
      readonly kind: 'amended';
      readonly echo: Echo;
      /** Open shares and limit after the amend (and any execution it made at once). */
      readonly open: bigint;
      readonly limit: bigint;
    }
  | { readonly kind: 'error'; readonly echo: Echo; readonly error: ExchangeError }
  /**
   * A query or cancel of a closed order no longer held in memory: the caller answers it from
   * the store (`account` is the requesting account for a cancel). Never sent to a client.
   */
  | {
      readonly kind: 'archived';
      readonly op: 'query' | 'cancel' | 'amend';
      readonly orderId: number;
      readonly account: string;
      readonly echo: Echo;
    };
