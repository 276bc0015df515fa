// Cancels and queries: refunds of the open part, ownership, orders no longer open, unknown
// ids, and the status a query reports.

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
  query,
  cancel,
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

describe('cancel and query', () => {
  test('cancel of a partly filled buy refunds open × limit', () => {
    const ex = twoParty('1000');
    place(ex, '1', buy('S', '10', '50'), T0 + 1); // 1
    place(ex, '2', sell('S', '4', '45'), T0 + 2); // 2: executes at 50
    assert.equal(cashOf(ex, '1'), money('500'));
    const r = only(tx(ex, '1', [cancel(1)], T0 + 3));
    assert.deepEqual(r, {
      kind: 'canceled',
      echo: [['id', '1']],
      status: {
        open: 0n,
        canceled: { shares: sh('6'), time: T0 + 3 },
        fills: [fill('4', '50', T0 + 2)],
      },
    });
    assert.equal(cashOf(ex, '1'), money('800'));
    assert.equal(sharesOf(ex, '1', 'S'), sh('4'));
    expectStatus(ex, 1, '0', [fill('4', '50', T0 + 2)], { shares: '6', time: T0 + 3 });
    assert.deepEqual(book(ex, 'S').bids, []);
  });

  test('cancel of a sell gives the open shares back', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '30', '10'), T0 + 1);
    place(ex, '1', buy('S', '10', '10'), T0 + 2);
    assert.equal(sharesOf(ex, '2', 'S'), sh('970'));
    const r = only(tx(ex, '2', [cancel(1)], T0 + 5));
    assert.equal(r.kind, 'canceled');
    assert.equal(sharesOf(ex, '2', 'S'), sh('990'));
    assert.equal(cashOf(ex, '2'), money('100'));
    expectStatus(ex, 1, '0', [fill('10', '10', T0 + 2)], { shares: '20', time: T0 + 5 });
  });

  test('a canceled part never matches', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    tx(ex, '2', [cancel(1)]);
    place(ex, '1', buy('S', '10', '20')); // 2: nothing to match, rests
    expectStatus(ex, 2, '10');
    expectStatus(ex, 1, '0', [], { shares: '10', time: T0 });
    assert.deepEqual(book(ex, 'S'), { bids: [{ price: px('20'), ids: [2] }], asks: [] });
    // And a cancel in the middle of a level leaves the rest of the queue intact.
    place(ex, '2', sell('S', '1', '30')); // 3
    place(ex, '2', sell('S', '1', '30')); // 4
    place(ex, '2', sell('S', '1', '30')); // 5
    tx(ex, '2', [cancel(4)]);
    place(ex, '1', buy('S', '3', '30')); // 6: fills 3 and 5, not 4
    expectStatus(ex, 6, '1', [fill('1', '30', T0), fill('1', '30', T0)]);
    expectStatus(ex, 3, '0', [fill('1', '30', T0)]);
    expectStatus(ex, 4, '0', [], { shares: '1', time: T0 });
    expectStatus(ex, 5, '0', [fill('1', '30', T0)]);
  });

  test("canceling another account's order is an error and changes nothing", () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    ex.takeChanges();
    const before = dumpState(ex);
    const r = only(tx(ex, '1', [cancel(1)]));
    expectError(r, 'NOT_ORDER_OWNER');
    assert.deepEqual(r.kind === 'error' && r.echo, [['id', '1']]);
    assert.deepEqual(dumpState(ex), before);
    assert.ok(isEmptyChangeSet(ex.takeChanges()));
    place(ex, '1', buy('S', '10', '10')); // still matches
    expectStatus(ex, 1, '0', [fill('10', '10', T0)]);
  });

  test('canceling a fully executed or already canceled order is an error', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    place(ex, '1', buy('S', '10', '10')); // 2
    expectError(only(tx(ex, '2', [cancel(1)])), 'ORDER_NOT_OPEN');
    expectError(only(tx(ex, '1', [cancel(2)])), 'ORDER_NOT_OPEN');
    place(ex, '2', sell('S', '5', '10')); // 3
    assert.equal(only(tx(ex, '2', [cancel(3)], T0 + 1)).kind, 'canceled');
    const before = dumpState(ex);
    expectError(only(tx(ex, '2', [cancel(3)], T0 + 2)), 'ORDER_NOT_OPEN');
    assert.deepEqual(dumpState(ex), before);
    expectStatus(ex, 3, '0', [], { shares: '5', time: T0 + 1 });
  });

  test('unknown order ids are errors for query and cancel', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    expectError(only(tx(ex, '2', [query(2)])), 'ORDER_NOT_FOUND');
    expectError(only(tx(ex, '2', [cancel(2)])), 'ORDER_NOT_FOUND');
    expectError(only(tx(ex, '2', [query(0)])), 'ORDER_NOT_FOUND');
    assert.equal(only(tx(ex, '2', [query('abc')])).kind, 'error');
  });

  test("query of another account's order works and reports its full status", () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10'), T0 + 1); // 1
    place(ex, '1', buy('S', '4', '10'), T0 + 2); // 2
    const r = only(tx(ex, '1', [query(1)]));
    assert.deepEqual(r, {
      kind: 'status',
      echo: [['id', '1']],
      status: { open: sh('6'), canceled: null, fills: [fill('4', '10', T0 + 2)] },
    });
    tx(ex, '2', [cancel(1)], T0 + 3);
    assert.deepEqual(only(tx(ex, '1', [query(1)])), {
      kind: 'status',
      echo: [['id', '1']],
      status: {
        open: 0n,
        canceled: { shares: sh('6'), time: T0 + 3 },
        fills: [fill('4', '10', T0 + 2)],
      },
    });
    // A fully executed order: its full status.
    assert.deepEqual(only(tx(ex, '2', [query(2)])), {
      kind: 'status',
      echo: [['id', '2']],
      status: { open: 0n, canceled: null, fills: [fill('4', '10', T0 + 2)] },
    });
  });

  test('a status is a snapshot: later fills do not change a reply already given', () => {
    const ex = twoParty();
    place(ex, '2', sell('S', '10', '10')); // 1
    const r = only(tx(ex, '2', [query(1)]));
    place(ex, '1', buy('S', '4', '10'));
    assert.deepEqual(r.kind === 'status' && r.status, {
      open: sh('10'),
      canceled: null,
      fills: [],
    });
  });
});
