// Unit tests of the pure engine against the rules of PROTOCOL.md: reservations, matching,
// priority, cancels, create semantics, exact decimals, ids, times, change sets and restore.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange } from '../src/engine/exchange.js';
import {
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../src/engine/validate.js';
import type {
  CreateChild,
  Fill,
  OrderStatus,
  Result,
  TransactionChild,
} from '../src/engine/commands.js';
import {
  isEmptyChangeSet,
  type ChangeSet,
  type OrderRow,
  type Snapshot,
} from '../src/engine/changes.js';
import type { ErrorCode } from '../src/engine/errors.js';
import type { PriceLevels } from '../src/engine/price-levels.js';
import { CASH_SCALE, PRICE_SCALE, SHARE_SCALE, parseDecimal } from '../src/decimal/fixed.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { dumpState } from './support/engine-state.js';

// ---------------------------------------------------------------------------------------
// Helpers

const T0 = 1_700_000_000;

function dec(text: string, scale: number): bigint {
  const parsed = parseDecimal(text, scale);
  if (!parsed.ok) throw new Error(`bad test decimal ${text}`);
  return parsed.value;
}
/** Shares at SHARE_SCALE. */
const sh = (text: string): bigint => dec(text, SHARE_SCALE);
/** Price at PRICE_SCALE. */
const px = (text: string): bigint => dec(text, PRICE_SCALE);
/** Cash at CASH_SCALE. */
const money = (text: string): bigint => dec(text, CASH_SCALE);

const account = (id: string, balance: string): CreateChild => validateCreateAccount(id, balance);
function symbol(sym: string, ...grants: [string, string][]): CreateChild[] {
  return [{ kind: 'symbol', sym }, ...grants.map(([id, n]) => validateGrant(sym, id, n))];
}
const buy = (sym: string, amount: string, limit: string): TransactionChild =>
  validateOrder(sym, amount, limit);
const sell = (sym: string, amount: string, limit: string): TransactionChild =>
  validateOrder(sym, '-' + amount, limit);
const query = (id: number | string): TransactionChild => validateOrderRef('query', String(id));
const cancel = (id: number | string): TransactionChild => validateOrderRef('cancel', String(id));

function create(ex: Exchange, ...children: (CreateChild | CreateChild[])[]): Result[] {
  return ex.apply({ kind: 'create', children: children.flat() }, T0);
}

function tx(ex: Exchange, acct: string, children: TransactionChild[], now = T0): Result[] {
  return ex.apply({ kind: 'transactions', account: acct, children }, now);
}

function only(results: Result[]): Result {
  assert.equal(results.length, 1);
  return results[0]!;
}

/** Places one order that must be accepted; returns its id. */
function place(ex: Exchange, acct: string, child: TransactionChild, now = T0): number {
  const r = only(tx(ex, acct, [child], now));
  assert.equal(r.kind, 'opened', `expected opened, got ${JSON.stringify(r, bigintJson)}`);
  if (r.kind !== 'opened') throw new Error('unreachable');
  return r.orderId;
}

function expectError(r: Result, code: ErrorCode): void {
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

const fill = (shares: string, price: string, time: number): Fill => ({
  shares: sh(shares),
  price: px(price),
  time,
});

function expectStatus(
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

function cashOf(ex: Exchange, id: string): bigint {
  const a = ex.accounts.get(id);
  assert.ok(a, `account ${id} exists`);
  return a.cash;
}

function sharesOf(ex: Exchange, id: string, sym: string): bigint {
  const a = ex.accounts.get(id);
  assert.ok(a, `account ${id} exists`);
  return a.positions.get(sym)?.shares ?? 0n;
}

function levelIds(side: PriceLevels): { price: bigint; ids: number[] }[] {
  return side.levels().map((level) => {
    const ids: number[] = [];
    for (let o = level.head; o !== null; o = o.next) ids.push(o.id);
    return { price: level.price, ids };
  });
}

function book(
  ex: Exchange,
  sym: string,
): { bids: { price: bigint; ids: number[] }[]; asks: { price: bigint; ids: number[] }[] } {
  const b = ex.books.get(sym);
  assert.ok(b, `book ${sym} exists`);
  return { bids: levelIds(b.bids), asks: levelIds(b.asks) };
}

/** Accumulates change sets into a snapshot exactly as a store of record would. */
class SnapshotBuilder {
  private accounts = new Map<string, Snapshot['accounts'][number]>();
  private symbols = new Map<string, Snapshot['symbols'][number]>();
  private positions = new Map<string, { account: string; sym: string; shares: bigint }>();
  private orders = new Map<number, OrderRow>();
  private executions: Snapshot['executions'][number][] = [];
  private cancels: Snapshot['cancels'][number][] = [];

  add(c: ChangeSet): void {
    for (const a of c.accounts) this.accounts.set(a.id, { ...a });
    for (const s of c.symbols) this.symbols.set(s.sym, { ...s });
    for (const p of c.positions) this.positions.set(`${p.account}/${p.sym}`, { ...p });
    for (const o of c.newOrders) {
      assert.ok(!this.orders.has(o.id), `order ${o.id} reported as new twice`);
      this.orders.set(o.id, { ...o });
    }
    for (const u of c.orderUpdates) {
      const o = this.orders.get(u.id);
      assert.ok(o, `update of an order never reported as new: ${u.id}`);
      this.orders.set(u.id, { ...o, open: u.open });
    }
    this.executions.push(...c.executions);
    this.cancels.push(...c.cancels);
  }

  snapshot(): Snapshot {
    return {
      accounts: [...this.accounts.values()],
      symbols: [...this.symbols.values()],
      positions: [...this.positions.values()],
      orders: [...this.orders.values()].sort((a, b) => a.id - b.id),
      executions: [...this.executions],
      cancels: [...this.cancels],
    };
  }
}

// ---------------------------------------------------------------------------------------
// The worked example of PROTOCOL.md. Each order comes from its own account (1..7) so that
// cash and positions can be checked per order. Order i arrives at T0 + i.

function workedExample(upTo = 7, onApply?: (ex: Exchange) => void): Exchange {
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

describe('worked example of PROTOCOL.md', () => {
  test('orders 1..6 get ids 1..6 and nothing matches', () => {
    const ex = workedExample(6);
    expectStatus(ex, 1, '300');
    expectStatus(ex, 2, '100');
    expectStatus(ex, 3, '200');
    expectStatus(ex, 4, '500');
    expectStatus(ex, 5, '200');
    expectStatus(ex, 6, '400');
    assert.deepEqual(book(ex, 'X'), {
      bids: [
        { price: px('127'), ids: [3] },
        { price: px('125'), ids: [1, 6] },
      ],
      asks: [
        { price: px('128'), ids: [4] },
        { price: px('130'), ids: [2] },
        { price: px('140'), ids: [5] },
      ],
    });
  });

  test('order 7 fills 200 @ 127 against order 3, then 200 @ 125 against order 1', () => {
    const ex = workedExample(7);
    const t7 = T0 + 7;
    expectStatus(ex, 1, '100', [fill('200', '125', t7)]);
    expectStatus(ex, 2, '100');
    expectStatus(ex, 3, '0', [fill('200', '127', t7)]);
    expectStatus(ex, 4, '500');
    expectStatus(ex, 5, '200');
    expectStatus(ex, 6, '400');
    expectStatus(ex, 7, '0', [fill('200', '127', t7), fill('200', '125', t7)]);
    assert.deepEqual(book(ex, 'X'), {
      bids: [{ price: px('125'), ids: [1, 6] }],
      asks: [
        { price: px('128'), ids: [4] },
        { price: px('130'), ids: [2] },
        { price: px('140'), ids: [5] },
      ],
    });
  });

  test('cash and positions after order 7', () => {
    const ex = workedExample(7);
    // Buyers: reserved amount × limit; fills at their own limit, so no refund.
    assert.equal(cashOf(ex, '1'), money('62500')); // 100000 − 300 × 125
    assert.equal(sharesOf(ex, '1', 'X'), sh('200'));
    assert.equal(cashOf(ex, '3'), money('74600')); // 100000 − 200 × 127
    assert.equal(sharesOf(ex, '3', 'X'), sh('200'));
    assert.equal(cashOf(ex, '6'), money('50000')); // 100000 − 400 × 125
    assert.equal(sharesOf(ex, '6', 'X'), 0n);
    // Sellers: shares reserved at once; order 7 receives 200 × 127 + 200 × 125.
    assert.equal(cashOf(ex, '2'), 0n);
    assert.equal(sharesOf(ex, '2', 'X'), sh('900'));
    assert.equal(cashOf(ex, '4'), 0n);
    assert.equal(sharesOf(ex, '4', 'X'), sh('500'));
    assert.equal(cashOf(ex, '5'), 0n);
    assert.equal(sharesOf(ex, '5', 'X'), sh('800'));
    assert.equal(cashOf(ex, '7'), money('50400'));
    assert.equal(sharesOf(ex, '7', 'X'), sh('600'));
  });

  test('the opened replies echo the request and carry ids 1..7', () => {
    const ex = workedExample(6);
    const r = only(tx(ex, '7', [sell('X', '400', '124')], T0 + 7));
    assert.deepEqual(r, {
      kind: 'opened',
      echo: [
        ['sym', 'X'],
        ['amount', '-400'],
        ['limit', '124'],
      ],
      orderId: 7,
    });
  });
});

// ---------------------------------------------------------------------------------------

function twoParty(buyerCash = '100000', sellerShares = '1000'): Exchange {
  const ex = new Exchange();
  create(ex, account('1', buyerCash), account('2', '0'), symbol('S', ['2', sellerShares]));
  return ex;
}

describe('buy reservation', () => {
  test('amount × limit is taken at once', () => {
    const ex = twoParty('1000');
    place(ex, '1', buy('S', '3', '100.5'));
    assert.equal(cashOf(ex, '1'), money('698.5'));
    expectStatus(ex, 1, '3');
  });

  test('exactly enough cash is enough', () => {
    const ex = twoParty('100');
    place(ex, '1', buy('S', '2', '50'));
    assert.equal(cashOf(ex, '1'), 0n);
  });

  test('insufficient funds: rejected and nothing changes', () => {
    const ex = twoParty('100');
    ex.takeChanges();
    const before = dumpState(ex);
    const r = only(tx(ex, '1', [buy('S', '2', '50.00000001')]));
    expectError(r, 'INSUFFICIENT_FUNDS');
    assert.deepEqual(r.kind === 'error' && r.echo, [
      ['sym', 'S'],
      ['amount', '2'],
      ['limit', '50.00000001'],
    ]);
    assert.deepEqual(dumpState(ex), before);
    assert.equal(ex.orders.size, 0);
    assert.ok(isEmptyChangeSet(ex.takeChanges()));
    // The next accepted order still gets id 1.
    assert.equal(place(ex, '1', buy('S', '1', '50')), 1);
  });

  test('cash reserved by an open buy cannot be spent twice', () => {
    const ex = twoParty('100');
    place(ex, '1', buy('S', '1', '60'));
    expectError(only(tx(ex, '1', [buy('S', '1', '41')])), 'INSUFFICIENT_FUNDS');
    assert.equal(cashOf(ex, '1'), money('40'));
  });

  test('price improvement: buy @ 130 filling a resting sell @ 125 is refunded 5 per share', () => {
    const ex = twoParty('2000');
    place(ex, '2', sell('S', '10', '125'));
    place(ex, '1', buy('S', '10', '130'));
    assert.equal(cashOf(ex, '1'), money('750')); // 2000 − 10 × 125
    assert.equal(sharesOf(ex, '1', 'S'), sh('10'));
    assert.equal(cashOf(ex, '2'), money('1250'));
    expectStatus(ex, 2, '0', [fill('10', '125', T0)]);
    expectStatus(ex, 1, '0', [fill('10', '125', T0)]);
  });

  test('price improvement on a partial fill: refund only for the executed part', () => {
    const ex = twoParty('2000');
    place(ex, '2', sell('S', '10', '125'));
    place(ex, '1', buy('S', '15', '130'));
    // 2000 − 15 × 130 reserved + 10 × 5 refunded.
    assert.equal(cashOf(ex, '1'), money('100'));
    expectStatus(ex, 2, '5', [fill('10', '125', T0)]);
    expectStatus(ex, 1, '0', [fill('10', '125', T0)]);
    assert.deepEqual(book(ex, 'S'), { bids: [{ price: px('130'), ids: [2] }], asks: [] });
  });
});

describe('sell reservation', () => {
  test('shares are taken at once', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '40', '10'));
    assert.equal(sharesOf(ex, '2', 'S'), sh('960'));
    expectStatus(ex, 1, '40');
  });

  test('selling all shares held is allowed', () => {
    const ex = twoParty('0', '10');
    place(ex, '2', sell('S', '10', '10'));
    assert.equal(sharesOf(ex, '2', 'S'), 0n);
  });

  test('no short sale: more than held is rejected and nothing changes', () => {
    const ex = twoParty('1000', '10');
    ex.takeChanges();
    const before = dumpState(ex);
    expectError(only(tx(ex, '2', [sell('S', '10.00000001', '10')])), 'INSUFFICIENT_SHARES');
    assert.deepEqual(dumpState(ex), before);
    assert.ok(isEmptyChangeSet(ex.takeChanges()));
  });

  test('no short sale without any position', () => {
    const ex = twoParty();
    expectError(only(tx(ex, '1', [sell('S', '1', '10')])), 'INSUFFICIENT_SHARES');
    assert.equal(ex.orders.size, 0);
  });

  test('shares reserved by an open sell cannot be sold again', () => {
    const ex = twoParty('0', '10');
    place(ex, '2', sell('S', '6', '10'));
    expectError(only(tx(ex, '2', [sell('S', '5', '11')])), 'INSUFFICIENT_SHARES');
    assert.equal(sharesOf(ex, '2', 'S'), sh('4'));
  });

  test('shares bought by an execution can be sold right away', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '5', '10'));
    place(ex, '1', buy('S', '5', '10'));
    place(ex, '1', sell('S', '5', '11'));
    assert.equal(sharesOf(ex, '1', 'S'), 0n);
  });
});

describe('execution price is the resting order limit', () => {
  test('incoming buy above a resting sell pays the sell limit', () => {
    const ex = twoParty('10000');
    place(ex, '2', sell('S', '10', '100'), T0 + 1);
    place(ex, '1', buy('S', '10', '105'), T0 + 2);
    expectStatus(ex, 2, '0', [fill('10', '100', T0 + 2)]);
    assert.equal(cashOf(ex, '2'), money('1000'));
    assert.equal(cashOf(ex, '1'), money('9000'));
  });

  test('incoming sell below a resting buy gets the buy limit', () => {
    const ex = twoParty('10000');
    place(ex, '1', buy('S', '10', '105'), T0 + 1);
    place(ex, '2', sell('S', '10', '100'), T0 + 2);
    expectStatus(ex, 2, '0', [fill('10', '105', T0 + 2)]);
    expectStatus(ex, 1, '0', [fill('10', '105', T0 + 2)]);
    assert.equal(cashOf(ex, '2'), money('1050'));
    assert.equal(cashOf(ex, '1'), money('8950'));
    assert.equal(sharesOf(ex, '1', 'S'), sh('10'));
  });

  test('equal limits match; a sell above the buy does not', () => {
    const ex = twoParty('10000');
    place(ex, '1', buy('S', '10', '100'));
    place(ex, '2', sell('S', '5', '100.00000001'));
    expectStatus(ex, 1, '10');
    expectStatus(ex, 2, '5');
    place(ex, '2', sell('S', '5', '100'));
    expectStatus(ex, 1, '5', [fill('5', '100', T0)]);
  });
});

describe('priority', () => {
  test('time priority within a level, and a partly filled order keeps its place', () => {
    const ex = twoParty();
    create(ex, account('3', '0'), symbol('S', ['3', '100']));
    place(ex, '2', sell('S', '10', '100'), T0 + 1); // 1
    place(ex, '3', sell('S', '10', '100'), T0 + 2); // 2
    place(ex, '2', sell('S', '10', '100'), T0 + 3); // 3
    place(ex, '1', buy('S', '15', '100'), T0 + 4); // 4: fills 1 fully, 2 partly
    expectStatus(ex, 1, '0', [fill('10', '100', T0 + 4)]);
    expectStatus(ex, 2, '5', [fill('5', '100', T0 + 4)]);
    expectStatus(ex, 3, '10');
    place(ex, '3', sell('S', '10', '100'), T0 + 5); // 5: behind 2 and 3
    assert.deepEqual(book(ex, 'S').asks, [{ price: px('100'), ids: [2, 3, 5] }]);
    place(ex, '1', buy('S', '7', '100'), T0 + 6); // 6: 5 from order 2, then 2 from order 3
    expectStatus(ex, 2, '0', [fill('5', '100', T0 + 4), fill('5', '100', T0 + 6)]);
    expectStatus(ex, 3, '8', [fill('2', '100', T0 + 6)]);
    expectStatus(ex, 5, '10');
    expectStatus(ex, 6, '0', [fill('5', '100', T0 + 6), fill('2', '100', T0 + 6)]);
  });

  test('time priority among bids', () => {
    const ex = twoParty();
    place(ex, '1', buy('S', '4', '50')); // 1
    place(ex, '1', buy('S', '4', '50')); // 2
    place(ex, '2', sell('S', '6', '50')); // 3
    expectStatus(ex, 1, '0', [fill('4', '50', T0)]);
    expectStatus(ex, 2, '2', [fill('2', '50', T0)]);
    place(ex, '1', buy('S', '4', '50')); // 4
    place(ex, '2', sell('S', '3', '50')); // 5: 2 from order 2, then 1 from 4
    expectStatus(ex, 2, '0', [fill('2', '50', T0), fill('2', '50', T0)]);
    expectStatus(ex, 4, '3', [fill('1', '50', T0)]);
  });

  test('best price first across levels (asks, lowest first)', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '103')); // 1
    place(ex, '2', sell('S', '10', '101')); // 2
    place(ex, '2', sell('S', '10', '102')); // 3
    place(ex, '2', sell('S', '10', '101')); // 4
    place(ex, '1', buy('S', '35', '103')); // 5
    expectStatus(ex, 5, '0', [
      fill('10', '101', T0),
      fill('10', '101', T0),
      fill('10', '102', T0),
      fill('5', '103', T0),
    ]);
    expectStatus(ex, 2, '0', [fill('10', '101', T0)]);
    expectStatus(ex, 4, '0', [fill('10', '101', T0)]);
    expectStatus(ex, 3, '0', [fill('10', '102', T0)]);
    expectStatus(ex, 1, '5', [fill('5', '103', T0)]);
    // Reserved 35 × 103, refunded 10×2 + 10×2 + 10×1.
    assert.equal(cashOf(ex, '1'), money(String(100000 - 35 * 103 + 50)));
  });

  test('best price first across levels (bids, highest first)', () => {
    const ex = twoParty();
    place(ex, '1', buy('S', '10', '98')); // 1
    place(ex, '1', buy('S', '10', '100')); // 2
    place(ex, '1', buy('S', '10', '99')); // 3
    place(ex, '2', sell('S', '25', '98')); // 4
    expectStatus(ex, 4, '0', [fill('10', '100', T0), fill('10', '99', T0), fill('5', '98', T0)]);
    expectStatus(ex, 1, '5', [fill('5', '98', T0)]);
    assert.equal(cashOf(ex, '2'), money(String(1000 + 990 + 490)));
  });

  test('an incoming order stops at its limit and rests with the remainder', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '101')); // 1
    place(ex, '2', sell('S', '10', '105')); // 2
    place(ex, '1', buy('S', '20', '102')); // 3
    expectStatus(ex, 3, '10', [fill('10', '101', T0)]);
    expectStatus(ex, 2, '10');
    assert.deepEqual(book(ex, 'S'), {
      bids: [{ price: px('102'), ids: [3] }],
      asks: [{ price: px('105'), ids: [2] }],
    });
  });

  test('books of different symbols never match each other', () => {
    const ex = twoParty();
    create(ex, symbol('T', ['2', '100']));
    place(ex, '2', sell('T', '10', '1'));
    place(ex, '1', buy('S', '10', '100'));
    expectStatus(ex, 1, '10');
    expectStatus(ex, 2, '10');
  });
});

describe('cancel and query', () => {
  test('cancel of a partly filled buy refunds open × limit', () => {
    const ex = twoParty('1000');
    place(ex, '1', buy('S', '10', '50'), T0 + 1); // 1
    place(ex, '2', sell('S', '4', '45'), T0 + 2); // 2: executes at 50
    assert.equal(cashOf(ex, '1'), money('500'));
    const r = only(tx(ex, '1', [cancel(1)], T0 + 3));
    assert.deepEqual(r, {
      kind: 'canceled',
      echo: [['id', '1']],
      status: {
        open: 0n,
        canceled: { shares: sh('6'), time: T0 + 3 },
        fills: [fill('4', '50', T0 + 2)],
      },
    });
    assert.equal(cashOf(ex, '1'), money('800'));
    assert.equal(sharesOf(ex, '1', 'S'), sh('4'));
    expectStatus(ex, 1, '0', [fill('4', '50', T0 + 2)], { shares: '6', time: T0 + 3 });
    assert.deepEqual(book(ex, 'S').bids, []);
  });

  test('cancel of a sell gives the open shares back', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '30', '10'), T0 + 1);
    place(ex, '1', buy('S', '10', '10'), T0 + 2);
    assert.equal(sharesOf(ex, '2', 'S'), sh('970'));
    const r = only(tx(ex, '2', [cancel(1)], T0 + 5));
    assert.equal(r.kind, 'canceled');
    assert.equal(sharesOf(ex, '2', 'S'), sh('990'));
    assert.equal(cashOf(ex, '2'), money('100'));
    expectStatus(ex, 1, '0', [fill('10', '10', T0 + 2)], { shares: '20', time: T0 + 5 });
  });

  test('a canceled part never matches', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    tx(ex, '2', [cancel(1)]);
    place(ex, '1', buy('S', '10', '20')); // 2: nothing to match, rests
    expectStatus(ex, 2, '10');
    expectStatus(ex, 1, '0', [], { shares: '10', time: T0 });
    assert.deepEqual(book(ex, 'S'), { bids: [{ price: px('20'), ids: [2] }], asks: [] });
    // And a cancel in the middle of a level leaves the rest of the queue intact.
    place(ex, '2', sell('S', '1', '30')); // 3
    place(ex, '2', sell('S', '1', '30')); // 4
    place(ex, '2', sell('S', '1', '30')); // 5
    tx(ex, '2', [cancel(4)]);
    place(ex, '1', buy('S', '3', '30')); // 6: fills 3 and 5, not 4
    expectStatus(ex, 6, '1', [fill('1', '30', T0), fill('1', '30', T0)]);
    expectStatus(ex, 3, '0', [fill('1', '30', T0)]);
    expectStatus(ex, 4, '0', [], { shares: '1', time: T0 });
    expectStatus(ex, 5, '0', [fill('1', '30', T0)]);
  });

  test("canceling another account's order is an error and changes nothing", () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    ex.takeChanges();
    const before = dumpState(ex);
    const r = only(tx(ex, '1', [cancel(1)]));
    expectError(r, 'NOT_ORDER_OWNER');
    assert.deepEqual(r.kind === 'error' && r.echo, [['id', '1']]);
    assert.deepEqual(dumpState(ex), before);
    assert.ok(isEmptyChangeSet(ex.takeChanges()));
    place(ex, '1', buy('S', '10', '10')); // still matches
    expectStatus(ex, 1, '0', [fill('10', '10', T0)]);
  });

  test('canceling a fully executed or already canceled order is an error', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    place(ex, '1', buy('S', '10', '10')); // 2
    expectError(only(tx(ex, '2', [cancel(1)])), 'ORDER_NOT_OPEN');
    expectError(only(tx(ex, '1', [cancel(2)])), 'ORDER_NOT_OPEN');
    place(ex, '2', sell('S', '5', '10')); // 3
    assert.equal(only(tx(ex, '2', [cancel(3)], T0 + 1)).kind, 'canceled');
    const before = dumpState(ex);
    expectError(only(tx(ex, '2', [cancel(3)], T0 + 2)), 'ORDER_NOT_OPEN');
    assert.deepEqual(dumpState(ex), before);
    expectStatus(ex, 3, '0', [], { shares: '5', time: T0 + 1 });
  });

  test('unknown order ids are errors for query and cancel', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    expectError(only(tx(ex, '2', [query(2)])), 'ORDER_NOT_FOUND');
    expectError(only(tx(ex, '2', [cancel(2)])), 'ORDER_NOT_FOUND');
    expectError(only(tx(ex, '2', [query(0)])), 'ORDER_NOT_FOUND');
    assert.equal(only(tx(ex, '2', [query('abc')])).kind, 'error');
  });

  test("query of another account's order works and reports its full status", () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10'), T0 + 1); // 1
    place(ex, '1', buy('S', '4', '10'), T0 + 2); // 2
    const r = only(tx(ex, '1', [query(1)]));
    assert.deepEqual(r, {
      kind: 'status',
      echo: [['id', '1']],
      status: { open: sh('6'), canceled: null, fills: [fill('4', '10', T0 + 2)] },
    });
    tx(ex, '2', [cancel(1)], T0 + 3);
    assert.deepEqual(only(tx(ex, '1', [query(1)])), {
      kind: 'status',
      echo: [['id', '1']],
      status: {
        open: 0n,
        canceled: { shares: sh('6'), time: T0 + 3 },
        fills: [fill('4', '10', T0 + 2)],
      },
    });
    // A fully executed order: its full status.
    assert.deepEqual(only(tx(ex, '2', [query(2)])), {
      kind: 'status',
      echo: [['id', '2']],
      status: { open: 0n, canceled: null, fills: [fill('4', '10', T0 + 2)] },
    });
  });

  test('a status is a snapshot: later fills do not change a reply already given', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    const r = only(tx(ex, '2', [query(1)]));
    place(ex, '1', buy('S', '4', '10'));
    assert.deepEqual(r.kind === 'status' && r.status, {
      open: sh('10'),
      canceled: null,
      fills: [],
    });
  });
});

describe('accounts, symbols and create', () => {
  test('an unknown account makes every child of a transactions an error', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    const before = dumpState(ex);
    ex.takeChanges();
    const results = tx(ex, '99', [
      buy('S', '1', '10'),
      sell('S', '1', '10'),
      query(1),
      cancel(1),
      buy('NOPE', '1', '1'),
    ]);
    assert.equal(results.length, 5);
    for (const r of results) expectError(r, 'ACCOUNT_NOT_FOUND');
    assert.deepEqual(
      results.map((r) => r.kind === 'error' && r.echo),
      [
        [
          ['sym', 'S'],
          ['amount', '1'],
          ['limit', '10'],
        ],
        [
          ['sym', 'S'],
          ['amount', '-1'],
          ['limit', '10'],
        ],
        [['id', '1']],
        [['id', '1']],
        [
          ['sym', 'NOPE'],
          ['amount', '1'],
          ['limit', '1'],
        ],
      ],
    );
    assert.deepEqual(dumpState(ex), before);
    assert.ok(isEmptyChangeSet(ex.takeChanges()));
  });

  test('an order for a symbol never created is an error and uses no id', () => {
    const ex = twoParty();
    expectError(only(tx(ex, '1', [buy('NOPE', '1', '1')])), 'SYMBOL_NOT_FOUND');
    assert.equal(cashOf(ex, '1'), money('100000'));
    assert.equal(place(ex, '1', buy('S', '1', '1')), 1);
  });

  test('children of transactions are processed in order, one reply each', () => {
    const ex = twoParty();
    const results = tx(ex, '2', [sell('S', '10', '10'), query(1), cancel(1), query(1), cancel(1)]);
    assert.deepEqual(
      results.map((r) => r.kind),
      ['opened', 'status', 'canceled', 'status', 'error'],
    );
  });

  test('create: replies per account and per grant, in order; duplicate account is an error', () => {
    const ex = new Exchange();
    const results = create(
      ex,
      account('123456', '1000'),
      symbol('SPY', ['123456', '100000']),
      account('123456', '5'),
      symbol('SPY', ['999', '10']),
    );
    assert.deepEqual(results, [
      { kind: 'created', id: '123456' },
      { kind: 'granted', sym: 'SPY', id: '123456' },
      {
        kind: 'error',
        echo: [['id', '123456']],
        error: { code: 'ACCOUNT_EXISTS', message: 'Account already exists' },
      },
      {
        kind: 'error',
        echo: [
          ['sym', 'SPY'],
          ['id', '999'],
        ],
        error: { code: 'ACCOUNT_NOT_FOUND', message: 'Account does not exist' },
      },
    ]);
    assert.equal(cashOf(ex, '123456'), money('1000'));
    assert.equal(sharesOf(ex, '123456', 'SPY'), sh('100000'));
    assert.equal(ex.accounts.has('999'), false);
  });

  test('a later child may use an account made by an earlier one', () => {
    const ex = new Exchange();
    const results = create(ex, symbol('A', ['5', '1']), account('5', '0'), symbol('A', ['5', '2']));
    assert.deepEqual(
      results.map((r) => r.kind),
      ['error', 'created', 'granted'],
    );
    assert.equal(sharesOf(ex, '5', 'A'), sh('2'));
  });

  test('a symbol is created even when none of its grants succeed', () => {
    const ex = new Exchange();
    const results = create(ex, symbol('Z9', ['1', '10'], ['2', '10']));
    assert.deepEqual(
      results.map((r) => r.kind),
      ['error', 'error'],
    );
    assert.ok(ex.books.has('Z9'));
    assert.deepEqual(ex.takeChanges().symbols, [{ sym: 'Z9', granted: 0n }]);
    create(ex, account('1', '100'));
    place(ex, '1', buy('Z9', '1', '1'));
    assert.deepEqual(ex.takeChanges().symbols, []);
  });

  test('granting again adds shares, in one request and across requests', () => {
    const ex = new Exchange();
    create(ex, account('1', '0'), symbol('A', ['1', '10'], ['1', '2.5']));
    assert.equal(sharesOf(ex, '1', 'A'), sh('12.5'));
    create(ex, symbol('A', ['1', '0.5']));
    assert.equal(sharesOf(ex, '1', 'A'), sh('13'));
    create(ex, symbol('A', ['1', '0']));
    assert.equal(sharesOf(ex, '1', 'A'), sh('13'));
  });

  test('creating an account does not reset its positions or cash elsewhere', () => {
    const ex = new Exchange();
    create(ex, account('1', '10'), symbol('A', ['1', '1']));
    create(ex, account('1', '999'));
    assert.equal(cashOf(ex, '1'), money('10'));
    assert.equal(sharesOf(ex, '1', 'A'), sh('1'));
  });
});

describe('exact decimals', () => {
  test('0.1 + 0.2 shares is exactly 0.3', () => {
    const ex = new Exchange();
    create(ex, account('1', '1'), account('2', '0'), symbol('A', ['2', '0.1'], ['2', '0.2']));
    assert.equal(sharesOf(ex, '2', 'A'), sh('0.3'));
    place(ex, '2', sell('A', '0.1', '0.3')); // 1
    place(ex, '2', sell('A', '0.2', '0.3')); // 2
    assert.equal(sharesOf(ex, '2', 'A'), 0n);
    place(ex, '1', buy('A', '0.3', '0.3')); // 3
    expectStatus(ex, 3, '0', [fill('0.1', '0.3', T0), fill('0.2', '0.3', T0)]);
    assert.equal(sharesOf(ex, '1', 'A'), sh('0.3'));
    assert.equal(cashOf(ex, '1'), money('0.91'));
    assert.equal(cashOf(ex, '2'), money('0.09'));
  });

  test('fractional price improvement is refunded exactly', () => {
    const ex = new Exchange();
    create(ex, account('1', '10'), account('2', '0'), symbol('A', ['2', '3']));
    place(ex, '2', sell('A', '0.33333333', '2.99999999'));
    place(ex, '1', buy('A', '0.33333333', '3'));
    // 10 − 0.33333333 × 2.99999999 = 10 − 0.9999999866666667
    assert.equal(cashOf(ex, '1'), money('9.0000000133333333'));
    assert.equal(cashOf(ex, '2'), money('0.9999999866666667'));
  });

  test('the smallest units multiply without rounding', () => {
    const ex = new Exchange();
    create(ex, account('1', '0.00000001'), account('2', '0'), symbol('A', ['2', '0.00000001']));
    place(ex, '1', buy('A', '0.00000001', '0.00000001'));
    assert.equal(cashOf(ex, '1'), money('0.00000001') - 1n);
    place(ex, '2', sell('A', '0.00000001', '0.00000001'));
    assert.equal(cashOf(ex, '2'), 1n);
    assert.equal(sharesOf(ex, '1', 'A'), 1n);
  });

  test('many small fills sum exactly', () => {
    const ex = new Exchange();
    create(ex, account('1', '1000'), account('2', '0'), symbol('A', ['2', '10']));
    for (let i = 0; i < 10; i++) place(ex, '2', sell('A', '0.1', '0.7'));
    place(ex, '1', buy('A', '1', '0.7'));
    assert.equal(sharesOf(ex, '1', 'A'), sh('1'));
    assert.equal(cashOf(ex, '2'), money('0.7'));
    assert.equal(cashOf(ex, '1'), money('999.3'));
  });
});

describe('self trade', () => {
  test('an account may trade against its own resting order', () => {
    const ex = new Exchange();
    create(ex, account('1', '1000'), symbol('A', ['1', '10']));
    place(ex, '1', sell('A', '10', '50'));
    place(ex, '1', buy('A', '10', '60'));
    expectStatus(ex, 1, '0', [fill('10', '50', T0)]);
    expectStatus(ex, 2, '0', [fill('10', '50', T0)]);
    assert.equal(cashOf(ex, '1'), money('1000'));
    assert.equal(sharesOf(ex, '1', 'A'), sh('10'));
  });
});

describe('order ids', () => {
  test('start at 1, increase, and are never reused after cancels or fills', () => {
    const ex = twoParty();
    const ids: number[] = [];
    ids.push(place(ex, '2', sell('S', '1', '10')));
    ids.push(place(ex, '1', buy('S', '1', '10')));
    tx(ex, '1', [buy('S', '100000000', '10')]); // rejected
    ids.push(place(ex, '2', sell('S', '1', '10')));
    tx(ex, '2', [cancel(3)]);
    ids.push(place(ex, '2', sell('S', '1', '10')));
    assert.equal(ids[0], 1);
    assert.deepEqual(ids, [1, 2, 3, 4]);
    assert.equal(ex.peekNextOrderId, 5);
  });

  test('ids continue after a restore, even when the last orders are closed', async () => {
    const store = new MemoryStore();
    const ex = twoParty();
    await store.commit(ex.takeChanges());
    place(ex, '2', sell('S', '1', '10'));
    place(ex, '2', sell('S', '1', '10'));
    place(ex, '1', buy('S', '1', '10'));
    tx(ex, '2', [cancel(2)]);
    await store.commit(ex.takeChanges());
    const restored = Exchange.restore(await store.load());
    assert.equal(restored.peekNextOrderId, 4);
    assert.equal(place(restored, '2', sell('S', '1', '10')), 4);
  });
});

describe('times', () => {
  test('executions and cancels carry the now passed in, not the order time', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10'), 100);
    place(ex, '1', buy('S', '3', '10'), 200);
    place(ex, '1', buy('S', '3', '10'), 300);
    tx(ex, '2', [cancel(1)], 400);
    expectStatus(ex, 1, '0', [fill('3', '10', 200), fill('3', '10', 300)], {
      shares: '4',
      time: 400,
    });
    assert.equal(ex.orders.get(1)?.time, 100);
    assert.equal(ex.orders.get(3)?.time, 300);
  });
});

// ---------------------------------------------------------------------------------------

function sortBy<T>(rows: T[], key: (row: T) => string): T[] {
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('takeChanges', () => {
  test('a create batch reports accounts, symbols and positions', () => {
    const ex = new Exchange();
    create(
      ex,
      account('1', '12.5'),
      account('2', '0'),
      symbol('A', ['1', '3'], ['2', '4'], ['1', '1']),
      symbol('B', ['9', '1']),
    );
    const c = ex.takeChanges();
    assert.deepEqual(
      sortBy(c.accounts, (a) => a.id),
      [
        { id: '1', cash: money('12.5'), deposited: money('12.5') },
        { id: '2', cash: 0n, deposited: 0n },
      ],
    );
    assert.deepEqual(
      sortBy(c.symbols, (s) => s.sym),
      [
        { sym: 'A', granted: sh('8') },
        { sym: 'B', granted: 0n },
      ],
    );
    assert.deepEqual(
      sortBy(c.positions, (p) => p.account + p.sym),
      [
        { account: '1', sym: 'A', shares: sh('4') },
        { account: '2', sym: 'A', shares: sh('4') },
      ],
    );
    assert.deepEqual([c.newOrders, c.orderUpdates, c.executions, c.cancels], [[], [], [], []]);
    assert.ok(isEmptyChangeSet(ex.takeChanges()), 'a second call is empty');
  });

  test('the batch of order 7 in the worked example', () => {
    const ex = workedExample(6);
    const first = ex.takeChanges();
    assert.deepEqual(
      sortBy(first.newOrders, (o) => String(o.id).padStart(3, '0')).map((o) => [
        o.id,
        o.account,
        o.isBuy,
        o.shares,
        o.limit,
        o.open,
        o.time,
      ]),
      [
        [1, '1', true, sh('300'), px('125'), sh('300'), T0 + 1],
        [2, '2', false, sh('100'), px('130'), sh('100'), T0 + 2],
        [3, '3', true, sh('200'), px('127'), sh('200'), T0 + 3],
        [4, '4', false, sh('500'), px('128'), sh('500'), T0 + 4],
        [5, '5', false, sh('200'), px('140'), sh('200'), T0 + 5],
        [6, '6', true, sh('400'), px('125'), sh('400'), T0 + 6],
      ],
    );
    assert.ok(first.newOrders.every((o) => o.sym === 'X'));
    place(ex, '7', sell('X', '400', '124'), T0 + 7);
    const c = ex.takeChanges();
    assert.deepEqual(c.newOrders, [
      {
        id: 7,
        account: '7',
        sym: 'X',
        isBuy: false,
        shares: sh('400'),
        limit: px('124'),
        open: 0n,
        time: T0 + 7,
      },
    ]);
    assert.deepEqual(
      sortBy(c.orderUpdates, (u) => String(u.id)),
      [
        { id: 1, open: sh('100') },
        { id: 3, open: 0n },
      ],
    );
    assert.deepEqual(c.executions, [
      {
        sym: 'X',
        buyOrderId: 3,
        sellOrderId: 7,
        shares: sh('200'),
        price: px('127'),
        time: T0 + 7,
      },
      {
        sym: 'X',
        buyOrderId: 1,
        sellOrderId: 7,
        shares: sh('200'),
        price: px('125'),
        time: T0 + 7,
      },
    ]);
    assert.deepEqual(c.cancels, []);
    assert.deepEqual(c.symbols, []);
    // The seller got cash; buyers 1 and 3 paid exactly their limit (no refund, so their
    // cash may or may not be reported, but if it is it must be right).
    const cash = new Map(c.accounts.map((a) => [a.id, a.cash]));
    assert.equal(cash.get('7'), money('50400'));
    if (cash.has('1')) assert.equal(cash.get('1'), money('62500'));
    if (cash.has('3')) assert.equal(cash.get('3'), money('74600'));
    assert.deepEqual(
      sortBy(c.positions, (p) => p.account),
      [
        { account: '1', sym: 'X', shares: sh('200') },
        { account: '3', sym: 'X', shares: sh('200') },
        { account: '7', sym: 'X', shares: sh('600') },
      ],
    );
  });

  test('a cancel batch reports the cancel, the order update and the refund', () => {
    const ex = twoParty('1000');
    place(ex, '1', buy('S', '10', '50'), T0 + 1); // 1
    place(ex, '2', sell('S', '10', '60'), T0 + 1); // 2
    ex.takeChanges();
    tx(ex, '1', [cancel(1)], T0 + 2);
    tx(ex, '2', [cancel(2)], T0 + 3);
    const c = ex.takeChanges();
    assert.deepEqual(c.cancels, [
      { orderId: 1, shares: sh('10'), time: T0 + 2 },
      { orderId: 2, shares: sh('10'), time: T0 + 3 },
    ]);
    assert.deepEqual(
      sortBy(c.orderUpdates, (u) => String(u.id)),
      [
        { id: 1, open: 0n },
        { id: 2, open: 0n },
      ],
    );
    assert.deepEqual(c.accounts, [{ id: '1', cash: money('1000'), deposited: money('1000') }]);
    assert.deepEqual(c.positions, [{ account: '2', sym: 'S', shares: sh('1000') }]);
    assert.deepEqual([c.newOrders, c.executions, c.symbols], [[], [], []]);
  });

  test('an order placed and canceled in one batch is one new-order row', () => {
    const ex = twoParty('1000');
    ex.takeChanges();
    place(ex, '1', buy('S', '10', '50'), T0 + 1);
    tx(ex, '1', [cancel(1)], T0 + 2);
    const c = ex.takeChanges();
    assert.deepEqual(
      c.newOrders.map((o) => [o.id, o.open]),
      [[1, 0n]],
    );
    assert.deepEqual(c.orderUpdates, []);
    assert.deepEqual(c.cancels, [{ orderId: 1, shares: sh('10'), time: T0 + 2 }]);
    assert.deepEqual(c.accounts, [{ id: '1', cash: money('1000'), deposited: money('1000') }]);
  });

  test('rejected requests and queries report nothing', () => {
    const ex = twoParty('10');
    place(ex, '2', sell('S', '1', '100'));
    ex.takeChanges();
    tx(ex, '1', [buy('S', '1', '100'), sell('S', '1', '1'), query(1), cancel(1), cancel(7)]);
    tx(ex, '77', [buy('S', '1', '1')]);
    create(ex, account('1', '5'), symbol('S', ['88', '1']));
    assert.ok(isEmptyChangeSet(ex.takeChanges()));
  });
});

describe('restore', () => {
  test('the worked example restored from per-request commits equals the live engine', async () => {
    const store = new MemoryStore();
    const commits: Promise<void>[] = [];
    const live = workedExample(7, (ex) => commits.push(store.commit(ex.takeChanges())));
    await Promise.all(commits);
    const restored = Exchange.restore(await store.load());
    assert.deepEqual(dumpState(restored), dumpState(live));
    assert.ok(isEmptyChangeSet(restored.takeChanges()));

    // Continue on both: order 1 (100 open @ 125) goes before order 6 at the same price.
    const more: [string, TransactionChild[]][] = [
      ['7', [sell('X', '150', '125')]],
      ['1', [query(1), query(6), cancel(6)]],
      ['2', [sell('X', '50', '120'), buy('X', '1', '1')]],
      ['3', [buy('X', '200', '129'), query(8)]],
    ];
    more.forEach(([acct, children], i) => {
      const a = tx(live, acct, children, T0 + 100 + i);
      const b = tx(restored, acct, children, T0 + 100 + i);
      assert.deepEqual(b, a, `step ${i}`);
    });
    expectStatus(restored, 1, '0', [fill('200', '125', T0 + 7), fill('100', '125', T0 + 100)]);
    expectStatus(restored, 8, '0', [fill('100', '125', T0 + 100), fill('50', '125', T0 + 100)]);
    assert.deepEqual(dumpState(restored), dumpState(live));
  });

  test('restore from one big batch equals restore from many', async () => {
    const builder = new SnapshotBuilder();
    const perRequest = workedExample(7, (ex) => builder.add(ex.takeChanges()));
    const single = workedExample(7);
    const oneBatch = new SnapshotBuilder();
    oneBatch.add(single.takeChanges());
    const a = Exchange.restore(builder.snapshot());
    const b = Exchange.restore(oneBatch.snapshot());
    assert.deepEqual(dumpState(a), dumpState(perRequest));
    assert.deepEqual(dumpState(b), dumpState(single));
    assert.deepEqual(dumpState(a), dumpState(b));
  });

  test('a partly filled order keeps its time priority across a restore', async () => {
    const store = new MemoryStore();
    const live = new Exchange();
    create(
      live,
      account('1', '100000'),
      account('2', '0'),
      account('3', '0'),
      symbol('S', ['2', '100'], ['3', '100']),
    );
    place(live, '2', sell('S', '10', '100'), T0 + 1); // 1
    place(live, '3', sell('S', '10', '100'), T0 + 2); // 2
    place(live, '2', sell('S', '10', '99'), T0 + 3); // 3
    place(live, '1', buy('S', '15', '100'), T0 + 4); // 4: all of 3, 5 of 1
    place(live, '3', sell('S', '10', '100'), T0 + 5); // 5
    place(live, '1', buy('S', '5', '90'), T0 + 6); // 6 (bid)
    place(live, '1', buy('S', '5', '90'), T0 + 7); // 7 (bid)
    await store.commit(live.takeChanges());
    const restored = Exchange.restore(await store.load());
    assert.deepEqual(book(restored, 'S'), {
      bids: [{ price: px('90'), ids: [6, 7] }],
      asks: [{ price: px('100'), ids: [1, 2, 5] }],
    });
    for (const ex of [live, restored]) {
      place(ex, '1', buy('S', '12', '100'), T0 + 10); // 8: 5 of order 1, 7 of order 2
      place(ex, '2', sell('S', '6', '90'), T0 + 11); // 9: 5 of 6, 1 of 7
    }
    expectStatus(restored, 1, '0', [fill('5', '100', T0 + 4), fill('5', '100', T0 + 10)]);
    expectStatus(restored, 2, '3', [fill('7', '100', T0 + 10)]);
    expectStatus(restored, 7, '4', [fill('1', '90', T0 + 11)]);
    assert.deepEqual(dumpState(restored), dumpState(live));
  });

  test('an empty snapshot restores an empty exchange', () => {
    const ex = Exchange.restore({
      accounts: [],
      symbols: [],
      positions: [],
      orders: [],
      executions: [],
      cancels: [],
    });
    assert.equal(ex.peekNextOrderId, 1);
    assert.deepEqual(dumpState(ex), dumpState(new Exchange()));
  });
});
