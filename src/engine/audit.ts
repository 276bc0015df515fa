// Checks the exchange's invariants over its whole state. Slow (it walks everything) and
// meant for tests, restarts and inspection, never for the hot path.

import { CASH_SCALE, SHARE_SCALE, formatDecimal } from '../decimal/fixed.js';
import type { Exchange } from './exchange.js';
import { buyReservation } from './fees.js';

const money = (v: bigint): string => formatDecimal(v, CASH_SCALE);
const shares = (v: bigint): string => formatDecimal(v, SHARE_SCALE);

export interface SymbolTotals {
  /** Shares in positions now. */
  held: bigint;
  /** Shares reserved by open sells. */
  reserved: bigint;
  granted: bigint;
}

export interface AuditReport {
  /** Cash available in accounts. */
  cash: bigint;
  /** Cash reserved by open buys (open × limit). */
  reservedCash: bigint;
  deposited: bigint;
  openOrders: number;
  symbols: Map<string, SymbolTotals>;
  /** Broken invariants, in words; empty when all hold. */
  problems: string[];
}

export function auditExchange(exchange: Exchange): AuditReport {
  const problems: string[] = [];
  const symbols = new Map<string, SymbolTotals>();
  for (const [sym, book] of exchange.books)
    symbols.set(sym, { held: 0n, reserved: 0n, granted: book.granted });
  let cash = 0n;
  let deposited = 0n;
  for (const account of exchange.accounts.values()) {
    if (account.cash < 0n) problems.push(`account ${account.id} has negative cash`);
    cash += account.cash;
    deposited += account.deposited;
    for (const position of account.positions.values()) {
      if (position.shares < 0n)
        problems.push(`account ${account.id} holds negative ${position.sym}`);
      const totals = symbols.get(position.sym);
      if (totals === undefined) problems.push(`position in unknown symbol ${position.sym}`);
      else totals.held += position.shares;
    }
  }

  let reservedCash = 0n;
  let openOrders = 0;
  for (const order of exchange.orders.values()) {
    let executed = 0n;
    for (const fill of order.fills) executed += fill.shares;
    const canceled = order.canceled?.shares ?? 0n;
    // Amends may take shares away (they are in no record of their own), never add them.
    const accounted = order.open + executed + canceled;
    if (
      order.open < 0n ||
      (order.amendments === null ? accounted !== order.shares : accounted > order.shares)
    ) {
      problems.push(`order ${order.id}: open + executed + canceled is not its size`);
    }
    if (order.canceled !== null && order.open !== 0n)
      problems.push(`order ${order.id} is canceled but open`);
    if ((order.open > 0n && !order.waiting) !== (order.level !== null)) {
      problems.push(`order ${order.id}: resting on the book iff it has open shares, broken`);
    }
    if (order.waiting && order.open === 0n)
      problems.push(`order ${order.id} waits for its stop with nothing open`);
    if (order.open === 0n) continue;
    openOrders++;
    if (order.isBuy) {
      reservedCash +=
        order.terms.type === 'market'
          ? 0n
          : buyReservation(order.open, order.limit, order.terms.taker);
    } else {
      const totals = symbols.get(order.sym);
      if (totals !== undefined) totals.reserved += order.open;
    }
  }

  // Each account's list of resting orders holds exactly its orders that rest, oldest first.
  let listed = 0;
  for (const account of exchange.accounts.values()) {
    for (const order of account.restingOrders()) {
      listed++;
      if (order.account !== account || (order.level === null && !order.waiting))
        problems.push(`order ${order.id} is listed as resting for account ${account.id}`);
    }
  }
  if (listed !== openOrders)
    problems.push(`accounts list ${listed} resting orders, the books hold ${openOrders}`);

  if (cash + reservedCash !== deposited) {
    problems.push(
      `cash ${money(cash)} + reserved ${money(reservedCash)} differs from deposits ${money(deposited)}`,
    );
  }
  for (const [sym, t] of symbols) {
    if (t.held + t.reserved !== t.granted) {
      problems.push(
        `${sym}: held ${shares(t.held)} + reserved ${shares(t.reserved)} differs from granted ${shares(t.granted)}`,
      );
    }
    const book = exchange.books.get(sym)!;
    const bid = book.bids.best();
    const ask = book.asks.best();
    if (bid !== undefined && ask !== undefined && bid.price >= ask.price)
      problems.push(`${sym}: book is crossed`);
    if (book.bids.orderCount + book.asks.orderCount + book.stops.size > openOrders)
      problems.push(`${sym}: book holds closed orders`);
  }
  return { cash, reservedCash, deposited, openOrders, symbols, problems };
}
