// Fixtures for the engine's unit tests (test/unit/engine-*.test.ts): exact decimal literals,
// request builders, small exchanges (two parties, the worked example of PROTOCOL.md) and
// assertions on replies, order status, cash, positions and books.

import assert from 'node:assert/strict';
import { Exchange } from '../../src/engine/exchange.js';
import {
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../../src/engine/validate.js';
import type {
  CreateChild,
  Fill,
  OrderStatus,
  Result,
  TransactionChild,
} from '../../src/engine/commands.js';
import type { ErrorCode } from '../../src/engine/errors.js';
import { CASH_SCALE, PRICE_SCALE, SHARE_SCALE, parseDecimal } from '../../src/decimal/fixed.js';
import { levelOrders } from './engine-state.js';

export const T0 = 1_700_000_000;

function dec(text: string, scale: number): bigint {
  const parsed = parseDecimal(text, scale);
  if (!parsed.ok) throw new Error(`bad test decimal ${text}`);
  return parsed.value;
}
/** Shares at SHARE_SCALE. */
export const sh = (text: string): bigint => dec(text, SHARE_SCALE);
/** Price at PRICE_SCALE. */
export const px = (text: string): bigint => dec(text, PRICE_SCALE);
/** Cash at CASH_SCALE. */
export const money = (text: string): bigint => dec(text, CASH_SCALE);

export const account = (id: string, balance: string): CreateChild =>
  validateCreateAccount(id, balance);
export function symbol(sym: string, ...grants: [string, string][]): CreateChild[] {
  return [{ kind: 'symbol', sym }, ...grants.map(([id, n]) => validateGrant(sym, id, n))];
}
export const buy = (sym: string, amount: string, limit: string): TransactionChild =>
  validateOrder(sym, amount, limit);
export const sell = (sym: string, amount: string, limit: string): TransactionChild =>
  validateOrder(sym, '-' + amount, limit);
export const query = (id: number | string): TransactionChild =>
  validateOrderRef('query', String(id));
export const cancel = (id: number | string): TransactionChild =>
  validateOrderRef('cancel', String(id));

export function create(ex: Exchange, ...children: (CreateChild | CreateChild[])[]): Result[] {
  return ex.apply({ kind: 'create', children: children.flat() }, T0);
}

export function tx(ex: Exchange, acct: string, children: TransactionChild[], now = T0): Result[] {
  return ex.apply({ kind: 'transactions', account: acct, children }, now);
}

export function only(results: Result[]): Result {
  assert.equal(results.length, 1);
  return results[0]!;
}

/** Places one order that must be accepted; returns its id. */
export function place(ex: Exchange, acct: string, child: TransactionChild, now = T0): number {
  const r = only(tx(ex, acct, [child], now));
  assert.equal(r.kind, 'opened', `expected opened, got ${JSON.stringify(r, bigintJson)}`);
  if (r.kind !== 'opened') throw new Error('unreachable');
  return r.orderId;
}

export function expectError(r: Result, code: ErrorCode): void {
  assert.equal(r.kind, 'error', `expected error ${code}, got ${JSON.stringify(r, bigintJson)}`);
  if (r.kind !== 'error') throw new Error('unreachable');
  assert.equal(r.error.code, code);
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

/** The status a query from the order's own account reports. */
function statusOf(ex: Exchange, id: number): OrderStatus {
  const order = ex.orders.get(id);
  assert.ok(order, `order ${id} exists`);
  const r = only(tx(ex, order.account.id, [query(id)]));
  assert.equal(r.kind, 'status');
  if (r.kind !== 'status') throw new Error('unreachable');
  return r.status;
}

export const fill = (shares: string, price: string, time: number): Fill => ({
  shares: sh(shares),
  price: px(price),
  time,
});

export function expectStatus(
  ex: Exchange,
  id: number,
  open: string,
  fills: Fill[] = [],
  canceled: { shares: string; time: number } | null = null,
): void {
  const status = statusOf(ex, id);
  assert.deepEqual(
    status,
    {
      open: sh(open),
      canceled: canceled === null ? null : { shares: sh(canceled.shares), time: canceled.time },
      fills,
    },
    `status of order ${id}`,
  );
}

export function cashOf(ex: Exchange, id: string): bigint {
  const a = ex.accounts.get(id);
  assert.ok(a, `account ${id} exists`);
  return a.cash;
}

export function sharesOf(ex: Exchange, id: string, sym: string): bigint {
  const a = ex.accounts.get(id);
  assert.ok(a, `account ${id} exists`);
  return a.positions.get(sym)?.shares ?? 0n;
}

/** Both sides of a book, best level first: each level's price and order ids in queue order. */
export function book(
  ex: Exchange,
  sym: string,
): { bids: { price: bigint; ids: number[] }[]; asks: { price: bigint; ids: number[] }[] } {
  const b = ex.books.get(sym);
  assert.ok(b, `book ${sym} exists`);
  const levelIds = (side: typeof b.bids) =>
    levelOrders(side).map(({ price, ids }) => ({ price, ids }));
  return { bids: levelIds(b.bids), asks: levelIds(b.asks) };
}

/**
 * The worked example of PROTOCOL.md, up to order `upTo`. Each order comes from its own
 * account (1..7) so that cash and positions can be checked per order. Order i arrives at
 * T0 + i. `onApply` runs after the create request and after each order.
 */
export function workedExample(upTo = 7, onApply?: (ex: Exchange) => void): Exchange {
  const ex = new Exchange();
  create(
    ex,
    account('1', '100000'),
    account('2', '0'),
    account('3', '100000'),
    account('4', '0'),
    account('5', '0'),
    account('6', '100000'),
    account('7', '0'),
    symbol('X', ['2', '1000'], ['4', '1000'], ['5', '1000'], ['7', '1000']),
  );
  onApply?.(ex);
  const orders: [string, TransactionChild][] = [
    ['1', buy('X', '300', '125')],
    ['2', sell('X', '100', '130')],
    ['3', buy('X', '200', '127')],
    ['4', sell('X', '500', '128')],
    ['5', sell('X', '200', '140')],
    ['6', buy('X', '400', '125')],
    ['7', sell('X', '400', '124')],
  ];
  orders.slice(0, upTo).forEach(([acct, child], i) => {
    assert.equal(place(ex, acct, child, T0 + i + 1), i + 1, `order ${i + 1} gets id ${i + 1}`);
    onApply?.(ex);
  });
  return ex;
}

/** Account 1 (buyer) with `buyerCash`, account 2 (seller) with `sellerShares` of symbol S. */
export function twoParty(buyerCash = '100000', sellerShares = '1000'): Exchange {
  const ex = new Exchange();
  create(ex, account('1', buyerCash), account('2', '0'), symbol('S', ['2', sellerShares]));
  return ex;
}
