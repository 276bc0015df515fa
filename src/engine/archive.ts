// Answers for queries, cancels and amends of closed orders that the engine no longer holds in memory
// and the store looked up. A closed order never changes again, so its stored state is its
// state at the time of the request.

import type {
  Echo,
  OrderStatus,
  OrderType,
  Result,
  SelfTradePrevention,
  TimeInForce,
} from './commands.js';
import { exchangeError, type ExchangeError } from './errors.js';

export interface ArchivedOrder {
  readonly account: string;
  readonly sym: string;
  readonly isBuy: boolean;
  /** Original size, SHARE_SCALE, positive. */
  readonly shares: bigint;
  /** PRICE_SCALE; the last limit (an amend may have changed it); 0 for a market order. */
  readonly limit: bigint;
  readonly time: number;
  /** The order's terms, as OrderTerms holds them. */
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** Stop price (PRICE_SCALE) of a stop-limit order, triggered or not; else null. */
  readonly stop: bigint | null;
  readonly stp: SelfTradePrevention | null;
  /** As Order.status() gives it: fills carry their fee when fees were on, amends are listed. */
  readonly status: OrderStatus;
}

export type ArchivedRequest = Extract<Result, { kind: 'archived' }>;

// Cancels of orders that already traded away are common in a busy market: built once.
const NOT_OPEN = {
  canceled: Object.freeze(exchangeError('ORDER_NOT_OPEN', 'it was already canceled')),
  executed: Object.freeze(exchangeError('ORDER_NOT_OPEN', 'it is fully executed')),
};
const NOT_AMENDABLE = {
  canceled: Object.freeze(exchangeError('NOTHING_TO_AMEND', 'it was already canceled')),
  executed: Object.freeze(exchangeError('NOTHING_TO_AMEND', 'it is fully executed')),
};

/** The refusal for cancelling an order with nothing open, in one wording everywhere. */
export function notOpenError(canceled: boolean): ExchangeError {
  return canceled ? NOT_OPEN.canceled : NOT_OPEN.executed;
}

/** The refusal for amending an order with nothing open. */
export function notAmendableError(canceled: boolean): ExchangeError {
  return canceled ? NOT_AMENDABLE.canceled : NOT_AMENDABLE.executed;
}

function error(echo: Echo, e: ExchangeError): Result {
  return { kind: 'error', echo, error: e };
}

/**
 * The answer when the store could not be read: that child alone is refused, as not
 * executed (a query or a cancel of a closed order changes nothing either way).
 */
export function archiveUnavailable(request: ArchivedRequest): Result {
  return error(request.echo, exchangeError('STORE_UNAVAILABLE'));
}

export function answerArchived(request: ArchivedRequest, order: ArchivedOrder | null): Result {
  // Ids below the counter were all issued, so a missing row means a damaged store.
  if (order === null) return error(request.echo, exchangeError('ORDER_NOT_FOUND'));
  if (request.op === 'query') return { kind: 'status', echo: request.echo, status: order.status };
  if (order.account !== request.account)
    return error(request.echo, exchangeError('NOT_ORDER_OWNER'));
  const canceled = order.status.canceled !== null;
  return error(
    request.echo,
    request.op === 'amend' ? notAmendableError(canceled) : notOpenError(canceled),
  );
}
