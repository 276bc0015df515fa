// Accounts, symbols and create requests: unknown accounts and symbols, reply order,
// duplicate accounts, and grants that add shares.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange } from '../../src/engine/exchange.js';
import { isEmptyChangeSet } from '../../src/engine/changes.js';
import {
  sh,
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
  twoParty,
} from '../support/engine-fixtures.js';
import { dumpState } from '../support/engine-state.js';

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
    assert.deepEqual(ex.takeChanges().symbols, [{ sym: 'Z9', granted: 0n, seq: 0 }]);
    create(ex, account('1', '100'));
    place(ex, '1', buy('Z9', '1', '1'));
    // Only the book's market-data sequence moved (the order rested), not its grants.
    assert.deepEqual(ex.takeChanges().symbols, [{ sym: 'Z9', granted: 0n, seq: 1 }]);
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
