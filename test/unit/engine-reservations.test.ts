// Reservations and refunds: a buy reserves amount × limit in cash (refunding price
// improvement), a sell reserves its shares at once; no overdraft and no short sale.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isEmptyChangeSet } from '../../src/engine/changes.js';
import {
  T0,
  sh,
  px,
  money,
  buy,
  sell,
  tx,
  only,
  place,
  expectError,
  fill,
  expectStatus,
  cashOf,
  sharesOf,
  book,
  twoParty,
} from '../support/engine-fixtures.js';
import { dumpState } from '../support/engine-state.js';

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
