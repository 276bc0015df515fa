// A stored state whose references dangle is refused at restore with the rows named, never
// half-loaded.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OrderRow, Snapshot } from '../../src/engine/changes.js';
import { Exchange } from '../../src/engine/exchange.js';
import { danglingReferences } from '../../src/engine/snapshot-references.js';

const healthyOrder: OrderRow<bigint> = {
  id: 1,
  account: '1',
  sym: 'SPY',
  isBuy: false,
  shares: 1n,
  limit: 1n,
  open: 0n,
  time: 5,
  type: 'limit',
  tif: 'GTC',
  stop: null,
  stp: null,
  triggeredAt: null,
  priority: 1,
  makerFee: 0n,
  takerFee: 0n,
};

const healthy: Snapshot = {
  accounts: [{ id: '1', cash: 0n, deposited: 0n }],
  symbols: [{ sym: 'SPY', granted: 100n, seq: 0 }],
  positions: [{ account: '1', sym: 'SPY', shares: 100n }],
  orders: [healthyOrder],
  executions: [],
  cancels: [{ orderId: 1, shares: 1n, time: 6 }],
  amendments: [],
};

test('a consistent snapshot has no dangling references and restores', () => {
  assert.deepEqual(danglingReferences(healthy), []);
  assert.equal(Exchange.restore(healthy).accounts.size, 1);
});

test('every kind of dangling reference is named', () => {
  const broken: Snapshot = {
    ...healthy,
    positions: [{ account: '7', sym: 'QQQ', shares: 1n }],
    orders: [{ ...healthyOrder, account: '8', sym: 'IWM' }],
    executions: [
      {
        sym: 'DIA',
        buyOrderId: 2,
        sellOrderId: 1,
        shares: 1n,
        price: 1n,
        time: 6,
        buyFee: null,
        sellFee: null,
      },
    ],
    cancels: [{ orderId: 3, shares: 1n, time: 7 }],
    amendments: [{ orderId: 4, open: 1n, limit: 1n, time: 7 }],
  };
  assert.deepEqual(danglingReferences(broken), [
    'position QQQ names unknown account 7',
    'position of account 7 names unknown symbol QQQ',
    'order 1 names unknown account 8',
    'order 1 names unknown symbol IWM',
    'execution of 2/1 names unknown buy order 2',
    'execution of 2/1 names unknown symbol DIA',
    'cancel names unknown order 3',
    'amendment names unknown order 4',
  ]);
  assert.throws(
    () => Exchange.restore(broken),
    /^Error: the stored state is inconsistent: position QQQ names unknown account 7; .* and 3 more$/,
  );
});

test('a live snapshot may name closed orders in its executions, never in its amendments', () => {
  // Order 1 is open; order 2 (closed, below the counter) stays in the store.
  const live: Snapshot = {
    ...healthy,
    scope: 'live',
    nextOrderId: 3,
    orders: [{ ...healthyOrder, open: 1n }],
    executions: [
      {
        sym: 'SPY',
        buyOrderId: 2,
        sellOrderId: 1,
        shares: 1n,
        price: 1n,
        time: 6,
        buyFee: 0n,
        sellFee: null,
      },
    ],
    cancels: [],
    amendments: [
      { orderId: 1, open: 1n, limit: 1n, time: 6 },
      { orderId: 2, open: 1n, limit: 1n, time: 6 },
    ],
  };
  assert.deepEqual(danglingReferences(live), ['amendment names unknown order 2']);
});
