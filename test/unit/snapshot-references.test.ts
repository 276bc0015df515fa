// A stored state whose references dangle is refused at restore with the rows named, never
// half-loaded.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OrderRow, Snapshot } from '../../src/engine/changes.js';
import { Exchange } from '../../src/engine/exchange.js';
import { danglingReferences } from '../../src/engine/snapshot-references.js';

const healthyOrder: OrderRow = {
  id: 1,
  account: '1',
  sym: 'SPY',
  isBuy: false,
  shares: 1n,
  limit: 1n,
  open: 0n,
  time: 5,
};

const healthy: Snapshot = {
  accounts: [{ id: '1', cash: 0n, deposited: 0n }],
  symbols: [{ sym: 'SPY', granted: 100n }],
  positions: [{ account: '1', sym: 'SPY', shares: 100n }],
  orders: [healthyOrder],
  executions: [],
  cancels: [{ orderId: 1, shares: 1n, time: 6 }],
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
    executions: [{ sym: 'DIA', buyOrderId: 2, sellOrderId: 1, shares: 1n, price: 1n, time: 6 }],
    cancels: [{ orderId: 3, shares: 1n, time: 7 }],
  };
  assert.deepEqual(danglingReferences(broken), [
    'position QQQ names unknown account 7',
    'position of account 7 names unknown symbol QQQ',
    'order 1 names unknown account 8',
    'order 1 names unknown symbol IWM',
    'execution of 2/1 names unknown buy order 2',
    'execution of 2/1 names unknown symbol DIA',
    'cancel names unknown order 3',
  ]);
  assert.throws(
    () => Exchange.restore(broken),
    /^Error: the stored state is inconsistent: position QQQ names unknown account 7; .* and 2 more$/,
  );
});
