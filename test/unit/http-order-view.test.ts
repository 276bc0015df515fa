// The JSON API's order view of the engine's orders: fees per fill when fees are on (and no
// fee field when they are off), a market order's null limit, a waiting stop; and an account's
// reserved cash, the taker fee included.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Exchange } from '../../src/engine/exchange.js';
import type { TransactionChild } from '../../src/engine/commands.js';
import { validateCreateAccount, validateGrant, validateOrder } from '../../src/engine/validate.js';
import { accountView, orderView } from '../../src/http/views.js';

const NOW = 1_700_000_000;

function exchange(fees: boolean): Exchange {
  const engine = new Exchange(
    // 0.1% maker, 0.2% taker, paid to account 9.
    fees ? { fees: { maker: 100_000n, taker: 200_000n, account: '9' } } : {},
  );
  engine.apply(
    {
      kind: 'create',
      children: [
        validateCreateAccount('1', '100000'),
        validateCreateAccount('2', '100000'),
        { kind: 'symbol', sym: 'SPY' },
        validateGrant('SPY', '1', '1000'),
      ],
    },
    NOW,
  );
  return engine;
}

const order = (...args: Parameters<typeof validateOrder>): TransactionChild =>
  validateOrder(...args);
const transact = (engine: Exchange, account: string, ...children: TransactionChild[]) =>
  engine.apply({ kind: 'transactions', account, children }, NOW);

test('with fees on, each fill carries the fee this order paid on it', () => {
  const engine = exchange(true);
  transact(engine, '1', order('SPY', '-100', '10'));
  transact(engine, '2', order('SPY', '40', '10'));
  const [maker, taker] = [orderView(engine.order(1)!), orderView(engine.order(2)!)];
  // 40 × 10 = 400 traded: the resting seller pays 0.1% (0.4), the incoming buyer 0.2% (0.8).
  assert.deepEqual(maker.fills, [{ shares: '40', price: '10', time: NOW, fee: '0.4' }]);
  assert.deepEqual(taker.fills, [{ shares: '40', price: '10', time: NOW, fee: '0.8' }]);
  // A resting buy holds back its value and its taker fee: 10 × 9 = 90, plus 0.18.
  transact(engine, '2', order('SPY', '10', '9'));
  assert.equal(accountView(engine.account('2')!).reservedCash, '90.18');
});

test('with fees off, fills have no fee field; market and stop terms are shown', () => {
  const engine = exchange(false);
  transact(
    engine,
    '1',
    order('SPY', '-100', '10'),
    order('SPY', '5', undefined, { type: 'market' }),
    order('SPY', '-5', '8', { stop: '9', stp: 'cancel-both' }),
  );
  const market = orderView(engine.order(2)!);
  assert.deepEqual(
    [market.type, market.tif, market.limit, market.status, market.fills],
    ['market', 'IOC', null, 'executed', [{ shares: '5', price: '10', time: NOW }]],
  );
  const stop = orderView(engine.order(3)!);
  assert.deepEqual(
    [stop.type, stop.tif, stop.limit, stop.stop, stop.stp, stop.status, stop.open],
    ['limit', 'GTC', '8', { price: '9', waiting: true }, 'cancel-both', 'open', '5'],
  );
});
