// The worked example of PROTOCOL.md, order by order: ids, fills against the book, the
// resulting cash and positions, and the opened replies.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  T0,
  sh,
  px,
  money,
  sell,
  tx,
  only,
  fill,
  expectStatus,
  cashOf,
  sharesOf,
  book,
  workedExample,
} from '../support/engine-fixtures.js';

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
