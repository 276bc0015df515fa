// Order ids (from 1, never reused, continued after a restore) and the times carried by
// executions and cancels.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange } from '../../src/engine/exchange.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import {
  buy,
  sell,
  cancel,
  tx,
  place,
  fill,
  expectStatus,
  twoParty,
} from '../support/engine-fixtures.js';

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
