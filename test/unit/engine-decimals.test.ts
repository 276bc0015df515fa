// Exact decimals: share, price and cash arithmetic in fixed point, with no rounding.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange } from '../../src/engine/exchange.js';
import {
  T0,
  sh,
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
} from '../support/engine-fixtures.js';

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
