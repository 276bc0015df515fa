// Matching: the execution price is the resting order's limit, price-time priority across
// and within levels, separate books per symbol, and self trade.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange } from '../../src/engine/exchange.js';
import {
  T0,
  sh,
  px,
  money,
  account,
  symbol,
  buy,
  sell,
  create,
  place,
  fill,
  expectStatus,
  cashOf,
  sharesOf,
  book,
  twoParty,
} from '../support/engine-fixtures.js';

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
