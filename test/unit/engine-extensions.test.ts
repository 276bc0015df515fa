// The extensions of docs/extensions.md, example by example with exact figures: time in
// force, market orders, stop-limit orders and their trigger order, self-trade prevention,
// amend, fees, and the book events a replica applies. Every scenario ends with the audit.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange } from '../../src/engine/exchange.js';
import { auditExchange } from '../../src/engine/audit.js';
import type { BookEvent } from '../../src/engine/book-events.js';
import type { Result, TransactionChild } from '../../src/engine/commands.js';
import { validateAmend, validateOrder, type OrderExtras } from '../../src/engine/validate.js';
import { FEE_SCALE, type FeeSchedule } from '../../src/engine/fees.js';
import { parseDecimal } from '../../src/decimal/fixed.js';
import { encodeResults } from '../../src/protocol/encode.js';
import {
  T0,
  sh,
  px,
  money,
  account,
  symbol,
  buy,
  sell,
  query,
  cancel,
  create,
  tx,
  only,
  place,
  expectError,
  cashOf,
  sharesOf,
  book,
} from '../support/engine-fixtures.js';

const order = (
  sym: string,
  amount: string,
  limit: string | undefined,
  extras: OrderExtras,
): TransactionChild => validateOrder(sym, amount, limit, extras);
const amend = (id: number, amount?: string, limit?: string): TransactionChild =>
  validateAmend(String(id), amount, limit);

function rate(text: string): bigint {
  const parsed = parseDecimal(text, FEE_SCALE);
  if (!parsed.ok) throw new Error(text);
  return parsed.value;
}

/** Accounts 1 and 3 with cash, 2 and 4 with shares of S; optionally fees to account 9. */
function market(fees?: { maker: string; taker: string }): Exchange {
  const schedule: FeeSchedule | undefined =
    fees === undefined
      ? undefined
      : { maker: rate(fees.maker), taker: rate(fees.taker), account: '9' };
  const ex = new Exchange({ fees: schedule, bookEvents: true });
  create(
    ex,
    account('1', '10000'),
    account('2', '0'),
    account('3', '10000'),
    account('4', '0'),
    symbol('S', ['2', '1000'], ['4', '1000'], ['1', '100']),
  );
  return ex;
}

function audited(ex: Exchange): void {
  assert.deepEqual(auditExchange(ex).problems, []);
}

function xml(results: Result[]): string {
  return encodeResults(results);
}

describe('time in force', () => {
  test('IOC executes what crosses and cancels the rest at once, refunding it', () => {
    const ex = market();
    place(ex, '2', sell('S', '30', '10'));
    const r = tx(ex, '1', [order('S', '50', '11', { tif: 'IOC' })], T0 + 1);
    assert.equal(
      xml(r),
      '<results>\n  <opened sym="S" amount="50" limit="11" tif="IOC" id="2"/>\n</results>\n',
    );
    assert.equal(
      xml(tx(ex, '1', [query(2)], T0 + 2)),
      '<results>\n  <status id="2">\n    <canceled shares="20" time="1700000001"/>\n' +
        '    <executed shares="30" price="10" time="1700000001"/>\n  </status>\n</results>\n',
    );
    assert.equal(cashOf(ex, '1'), money('9700'));
    assert.deepEqual(book(ex, 'S').bids, []);
    audited(ex);
  });

  test('FOK that cannot fill in full executes nothing; one that can fills', () => {
    const ex = market();
    place(ex, '2', sell('S', '30', '10'));
    place(ex, '4', sell('S', '10', '12'));
    const killed = place(ex, '1', order('S', '41', '12', { tif: 'FOK' }));
    assert.equal(ex.orders.get(killed)!.fills.length, 0);
    assert.deepEqual(ex.orders.get(killed)!.canceled, { shares: sh('41'), time: T0 });
    assert.equal(cashOf(ex, '1'), money('10000'));
    const filled = place(ex, '1', order('S', '40', '12', { tif: 'FOK' }));
    assert.equal(ex.orders.get(filled)!.open, 0n);
    assert.equal(ex.orders.get(filled)!.canceled, null);
    // 30 at 10 and 10 at 12; the 40 × 12 reserved, 60 refunded.
    assert.equal(cashOf(ex, '1'), money('9580'));
    audited(ex);
  });
});

describe('market orders', () => {
  test('a market buy walks the book best first and stops where the cash runs out', () => {
    const ex = market();
    create(ex, account('5', '100'));
    place(ex, '2', sell('S', '5', '10'));
    place(ex, '4', sell('S', '10', '30'));
    const r = tx(ex, '5', [order('S', '100', undefined, { type: 'market' })], T0 + 1);
    assert.equal(
      xml(r),
      '<results>\n  <opened sym="S" amount="100" type="market" id="3"/>\n</results>\n',
    );
    // 5 × 10 = 50, then 50 / 30 = 1.66666666 shares (to 8 digits), the rest canceled.
    assert.equal(sharesOf(ex, '5', 'S'), sh('6.66666666'));
    assert.equal(cashOf(ex, '5'), money('0.0000002'));
    const o = ex.orders.get(3)!;
    assert.deepEqual(o.canceled, { shares: sh('93.33333334'), time: T0 + 1 });
    assert.equal(ex.orders.get(2)!.open, sh('8.33333334'));
    audited(ex);
  });

  test('market orders: no cash, no shares, a limit or GTC are refused', () => {
    const ex = market();
    create(ex, account('5', '0'));
    expectError(
      only(tx(ex, '5', [order('S', '1', undefined, { type: 'market' })])),
      'INSUFFICIENT_FUNDS',
    );
    expectError(
      only(tx(ex, '3', [order('S', '-1', undefined, { type: 'market' })])),
      'INSUFFICIENT_SHARES',
    );
    expectError(only(tx(ex, '1', [order('S', '1', '5', { type: 'market' })])), 'MARKET_WITH_LIMIT');
    expectError(
      only(tx(ex, '1', [order('S', '1', undefined, { type: 'market', tif: 'GTC' })])),
      'UNSUPPORTED_COMBINATION',
    );
    expectError(
      only(tx(ex, '1', [order('S', '1', undefined, { type: 'stop' })])),
      'INVALID_ORDER_TYPE',
    );
  });

  test('a market sell with nothing to meet is canceled in full and keeps its shares', () => {
    const ex = market();
    const id = place(ex, '2', order('S', '-10', undefined, { type: 'market' }));
    assert.deepEqual(ex.orders.get(id)!.canceled, { shares: sh('10'), time: T0 });
    assert.equal(sharesOf(ex, '2', 'S'), sh('1000'));
    audited(ex);
  });
});

describe('stop-limit orders', () => {
  test('a stop waits outside the book with its reservation, and a later trade triggers it', () => {
    const ex = market();
    const stop = place(ex, '3', order('S', '10', '12', { stop: '11' }));
    assert.equal(cashOf(ex, '3'), money('9880'));
    assert.deepEqual(book(ex, 'S').bids, []);
    assert.equal(
      xml(tx(ex, '3', [query(stop)])),
      '<results>\n  <status id="1">\n    <open shares="10" stop="11"/>\n  </status>\n</results>\n',
    );
    expectError(only(tx(ex, '3', [amend(stop, '5')])), 'STOP_WAITING');
    // A trade below the stop leaves it waiting; one at the stop triggers it.
    place(ex, '2', sell('S', '1', '10'));
    place(ex, '1', buy('S', '1', '10'));
    assert.equal(ex.orders.get(stop)!.waiting, true);
    place(ex, '2', sell('S', '1', '11'));
    place(ex, '1', buy('S', '1', '11'), T0 + 5);
    const o = ex.orders.get(stop)!;
    assert.equal(o.waiting, false);
    assert.equal(o.triggeredAt, T0 + 5);
    assert.deepEqual(book(ex, 'S').bids, [{ price: px('12'), ids: [stop] }]);
    audited(ex);
  });

  test('triggered stops enter in id order, and the stops their trades trigger queue behind', () => {
    const ex = market();
    // Sell stops: 1 (stop 9), 2 (stop 10), 3 (stop 8); each sells 1 at its limit 5.
    const s1 = place(ex, '2', order('S', '-1', '5', { stop: '9' }));
    const s2 = place(ex, '2', order('S', '-1', '5', { stop: '10' }));
    const s3 = place(ex, '4', order('S', '-1', '5', { stop: '8' }));
    // Bids at 10, 9 and 8, one share each.
    place(ex, '1', buy('S', '1', '10'));
    place(ex, '1', buy('S', '1', '9'));
    place(ex, '1', buy('S', '1', '8'));
    place(ex, '3', buy('S', '1', '7'));
    ex.takeEvents();
    // A trade at 10 triggers s2 only; s2 sells at 9, which triggers s1; s1 at 8 triggers s3.
    place(ex, '4', sell('S', '1', '10'));
    const triggered = ex
      .takeEvents()
      .filter((e) => e.type === 'triggered')
      .map((e) => (e as { orderId: number }).orderId);
    assert.deepEqual(triggered, [s2, s1, s3]);
    // s3 met the last bid, at 7.
    assert.deepEqual(book(ex, 'S'), { bids: [], asks: [] });
    assert.equal(ex.orders.get(s3)!.fills[0]!.price, px('7'));
    audited(ex);
  });

  test('a waiting stop is canceled with its reservation refunded', () => {
    const ex = market();
    const stop = place(ex, '3', order('S', '10', '12', { stop: '11' }));
    assert.equal(
      xml(tx(ex, '3', [cancel(stop)], T0 + 1)),
      '<results>\n  <canceled id="1">\n    <canceled shares="10" time="1700000001"/>\n  </canceled>\n</results>\n',
    );
    assert.equal(cashOf(ex, '3'), money('10000'));
    audited(ex);
  });
});

describe('self-trade prevention', () => {
  function ownBook(): Exchange {
    const ex = market();
    create(ex, symbol('S', ['3', '100']));
    place(ex, '3', sell('S', '5', '10')); // 1: own
    place(ex, '2', sell('S', '5', '10')); // 2: another account's
    return ex;
  }

  test('cancel-resting cancels the own resting order and goes on matching', () => {
    const ex = ownBook();
    const id = place(ex, '3', order('S', '5', '10', { stp: 'cancel-resting' }));
    assert.deepEqual(ex.orders.get(1)!.canceled, { shares: sh('5'), time: T0 });
    assert.equal(ex.orders.get(id)!.open, 0n);
    assert.equal(ex.orders.get(2)!.open, 0n);
    audited(ex);
  });

  test('cancel-incoming cancels the incoming order and leaves the resting one', () => {
    const ex = ownBook();
    const id = place(ex, '3', order('S', '5', '10', { stp: 'cancel-incoming' }));
    assert.deepEqual(ex.orders.get(id)!.canceled, { shares: sh('5'), time: T0 });
    assert.equal(ex.orders.get(1)!.open, sh('5'));
    assert.equal(cashOf(ex, '3'), money('10000'));
    audited(ex);
  });

  test('cancel-both cancels both', () => {
    const ex = ownBook();
    const id = place(ex, '3', order('S', '5', '10', { stp: 'cancel-both' }));
    assert.equal(ex.orders.get(id)!.canceled?.shares, sh('5'));
    assert.equal(ex.orders.get(1)!.canceled?.shares, sh('5'));
    assert.equal(ex.orders.get(2)!.open, sh('5'));
    audited(ex);
  });

  test('without stp an account trades with itself, as the base protocol does', () => {
    const ex = ownBook();
    const id = place(ex, '3', buy('S', '5', '10'));
    assert.equal(ex.orders.get(id)!.open, 0n);
    assert.equal(ex.orders.get(1)!.open, 0n);
    audited(ex);
  });

  test('FOK counts only what it could execute under its stp', () => {
    const ex = ownBook();
    const killed = place(ex, '3', order('S', '6', '10', { tif: 'FOK', stp: 'cancel-incoming' }));
    assert.equal(ex.orders.get(killed)!.canceled?.shares, sh('6'));
    assert.equal(ex.orders.get(1)!.open, sh('5'), 'nothing canceled when the FOK is killed');
    const filled = place(ex, '3', order('S', '5', '10', { tif: 'FOK', stp: 'cancel-resting' }));
    assert.equal(ex.orders.get(filled)!.open, 0n);
    assert.equal(ex.orders.get(filled)!.canceled, null);
    audited(ex);
  });
});

describe('amend', () => {
  test('a smaller amount keeps time priority and refunds the reservation', () => {
    const ex = market();
    const a = place(ex, '1', buy('S', '10', '10'));
    const b = place(ex, '3', buy('S', '10', '10'));
    const r = tx(ex, '1', [amend(a, '4')], T0 + 1);
    assert.equal(xml(r), '<results>\n  <amended id="1" amount="4" limit="10"/>\n</results>\n');
    assert.deepEqual(book(ex, 'S').bids, [{ price: px('10'), ids: [a, b] }]);
    assert.equal(cashOf(ex, '1'), money('9960'));
    assert.equal(ex.books.get('S')!.bids.best()!.openShares, sh('14'));
    assert.equal(
      xml(tx(ex, '1', [query(a)], T0 + 2)),
      '<results>\n  <status id="1">\n    <open shares="4"/>\n' +
        '    <amended amount="4" limit="10" time="1700000001"/>\n  </status>\n</results>\n',
    );
    audited(ex);
  });

  test('a new limit loses priority, takes more cash, and may execute at once', () => {
    const ex = market();
    const a = place(ex, '1', buy('S', '10', '10'));
    const b = place(ex, '3', buy('S', '10', '10'));
    tx(ex, '1', [amend(a, undefined, '11'), amend(a, undefined, '10')]);
    assert.deepEqual(book(ex, 'S').bids, [{ price: px('10'), ids: [b, a] }]);
    place(ex, '2', sell('S', '4', '12'));
    const r = only(tx(ex, '1', [amend(a, '6', '12')]));
    assert.deepEqual(r, { kind: 'amended', echo: [['id', '1']], open: sh('2'), limit: px('12') });
    assert.equal(sharesOf(ex, '1', 'S'), sh('104'));
    assert.equal(cashOf(ex, '1'), money('10000') - money('48') - money('24'));
    audited(ex);
  });

  test('amend refusals', () => {
    const ex = market();
    const a = place(ex, '1', buy('S', '10', '10'));
    expectError(only(tx(ex, '1', [amend(a, '11')])), 'AMEND_UP');
    expectError(only(tx(ex, '3', [amend(a, '5')])), 'NOT_ORDER_OWNER');
    expectError(only(tx(ex, '1', [amend(a, '0')])), 'NON_POSITIVE_AMEND');
    expectError(only(tx(ex, '1', [amend(a)])), 'MISSING_ATTRIBUTE');
    expectError(only(tx(ex, '1', [amend(99, '1')])), 'ORDER_NOT_FOUND');
    expectError(only(tx(ex, '1', [amend(a, '10', '10000')])), 'INSUFFICIENT_FUNDS');
    tx(ex, '1', [cancel(a)]);
    expectError(only(tx(ex, '1', [amend(a, '1')])), 'NOTHING_TO_AMEND');
    audited(ex);
  });
});

describe('fees', () => {
  test('the maker and taker pay their rates to the fee account; cash is conserved', () => {
    const ex = market({ maker: '0.001', taker: '0.002' });
    place(ex, '2', sell('S', '10', '10')); // maker
    const b = place(ex, '1', buy('S', '10', '11'), T0 + 1); // taker
    // Value 100: the taker pays 0.2, the maker 0.1.
    assert.equal(cashOf(ex, '1'), money('10000') - money('100.2'));
    assert.equal(cashOf(ex, '2'), money('99.9'));
    assert.equal(cashOf(ex, '9'), money('0.3'));
    assert.equal(
      xml(tx(ex, '1', [query(b)])),
      '<results>\n  <status id="2">\n' +
        '    <executed shares="10" price="10" time="1700000001" fee="0.2"/>\n  </status>\n</results>\n',
    );
    audited(ex);
  });

  test('a buy reserves its taker fee and cannot overspend however it fills', () => {
    const ex = market({ maker: '0.00333333', taker: '0.00333333' });
    create(ex, account('5', '30.1'));
    // 3 × 10 = 30 plus 0.0999999 fee: fits in 30.1.
    const id = place(ex, '5', buy('S', '3', '10'));
    assert.equal(cashOf(ex, '5'), money('30.1') - money('30.0999999'));
    for (let i = 0; i < 3; i++) place(ex, '2', sell('S', '1', '10'));
    assert.equal(ex.orders.get(id)!.open, 0n);
    assert.ok(cashOf(ex, '5') >= 0n);
    audited(ex);
  });

  test('a maker fee above the taker fee is refused', async () => {
    const { feeScheduleProblem } = await import('../../src/engine/fees.js');
    assert.match(
      feeScheduleProblem({ maker: rate('0.002'), taker: rate('0.001'), account: '9' })!,
      /maker fee must not exceed/,
    );
  });
});

describe('book events', () => {
  test('every change of the book has the next number of its symbol', () => {
    const ex = market();
    place(ex, '1', buy('S', '10', '10'));
    place(ex, '2', sell('S', '4', '10'));
    tx(ex, '1', [amend(1, '5')]);
    tx(ex, '1', [cancel(1)]);
    const events: BookEvent[] = ex.takeEvents();
    assert.deepEqual(
      events.map((e) => [e.seq, e.type]),
      [
        [1, 'opened'],
        [2, 'matched'],
        [3, 'amended'],
        [4, 'canceled'],
      ],
    );
    assert.equal(ex.books.get('S')!.seq, 4);
    assert.deepEqual(ex.takeEvents(), []);
  });

  test('events are kept only once somebody follows them; the sequence moves on regardless', () => {
    const ex = new Exchange();
    create(ex, account('1', '100'), symbol('S', ['1', '10']));
    place(ex, '1', buy('S', '1', '1'));
    assert.deepEqual(ex.takeEvents(), []);
    assert.equal(ex.books.get('S')!.seq, 1);
    ex.recordBookEvents();
    place(ex, '1', sell('S', '1', '2'));
    assert.deepEqual(
      ex.takeEvents().map((e) => [e.seq, e.type]),
      [[2, 'opened']],
    );
  });
});
