// Change rows (takeChanges) as a store of record receives them, and restoring an exchange
// from them.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange } from '../../src/engine/exchange.js';
import {
  isEmptyChangeSet,
  type ChangeSet,
  type OrderRow,
  type Snapshot,
} from '../../src/engine/changes.js';
import type { TransactionChild } from '../../src/engine/commands.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import {
  T0,
  sh,
  px,
  money,
  account,
  symbol,
  buy,
  sell,
  query,
  cancel,
  create,
  tx,
  place,
  fill,
  expectStatus,
  book,
  workedExample,
  twoParty,
} from '../support/engine-fixtures.js';
import { dumpState } from '../support/engine-state.js';
import {
  bigAccountRow,
  bigAmendmentRow,
  bigCancelRow,
  bigExecutionRow,
  bigOrderRow,
  bigPositionRow,
  bigSymbolRow,
} from '../../src/engine/big-rows.js';

/** Accumulates change sets into a snapshot exactly as a store of record would. */
class SnapshotBuilder {
  private accounts = new Map<string, ChangeSet['accounts'][number]>();
  private symbols = new Map<string, ChangeSet['symbols'][number]>();
  private positions = new Map<string, ChangeSet['positions'][number]>();
  private orders = new Map<number, OrderRow>();
  private executions: ChangeSet['executions'][number][] = [];
  private cancels: ChangeSet['cancels'][number][] = [];
  private amendments: ChangeSet['amendments'][number][] = [];

  add(c: ChangeSet): void {
    for (const a of c.accounts) this.accounts.set(a.id, { ...a });
    for (const s of c.symbols) this.symbols.set(s.sym, { ...s });
    for (const p of c.positions) this.positions.set(`${p.account}/${p.sym}`, { ...p });
    for (const o of c.newOrders) {
      assert.ok(!this.orders.has(o.id), `order ${o.id} reported as new twice`);
      this.orders.set(o.id, { ...o });
    }
    for (const u of c.orderUpdates) {
      const o = this.orders.get(u.id);
      assert.ok(o, `update of an order never reported as new: ${u.id}`);
      this.orders.set(u.id, { ...o, open: u.open });
    }
    for (const r of c.orderReshapes) {
      const o = this.orders.get(r.id);
      assert.ok(o, `reshape of an order never reported as new: ${r.id}`);
      this.orders.set(r.id, { ...o, ...r });
    }
    this.executions.push(...c.executions);
    this.cancels.push(...c.cancels);
    this.amendments.push(...c.amendments);
  }

  snapshot(): Snapshot {
    return {
      accounts: [...this.accounts.values()].map(bigAccountRow),
      symbols: [...this.symbols.values()].map(bigSymbolRow),
      positions: [...this.positions.values()].map(bigPositionRow),
      orders: [...this.orders.values()].sort((a, b) => a.id - b.id).map(bigOrderRow),
      executions: this.executions.map(bigExecutionRow),
      cancels: this.cancels.map(bigCancelRow),
      amendments: this.amendments.map(bigAmendmentRow),
    };
  }
}

/** The fields a plain limit order's row has beyond the base protocol's (never rested: 0). */
const PLAIN_ORDER = { triggeredAt: null, priority: 0 } as const;
const NO_FEES_CHARGED = { buyFee: null, sellFee: null } as const;

function sortBy<T>(rows: T[], key: (row: T) => string): T[] {
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('takeChanges', () => {
  test('a create batch reports accounts, symbols and positions', () => {
    const ex = new Exchange();
    create(
      ex,
      account('1', '12.5'),
      account('2', '0'),
      symbol('A', ['1', '3'], ['2', '4'], ['1', '1']),
      symbol('B', ['9', '1']),
    );
    const c = ex.takeChanges();
    assert.deepEqual(
      sortBy(c.accounts, (a) => a.id),
      [
        { id: '1', cash: money('12.5'), deposited: money('12.5') },
        { id: '2', cash: 0n, deposited: 0n },
      ],
    );
    assert.deepEqual(
      sortBy(c.symbols, (s) => s.sym),
      [
        { sym: 'A', granted: sh('8'), seq: 0 },
        { sym: 'B', granted: 0n, seq: 0 },
      ],
    );
    assert.deepEqual(
      sortBy(c.positions, (p) => p.account + p.sym),
      [
        { account: '1', sym: 'A', shares: sh('4') },
        { account: '2', sym: 'A', shares: sh('4') },
      ],
    );
    assert.deepEqual([c.newOrders, c.orderUpdates, c.executions, c.cancels], [[], [], [], []]);
    assert.ok(isEmptyChangeSet(ex.takeChanges()), 'a second call is empty');
  });

  test('the batch of order 7 in the worked example', () => {
    const ex = workedExample(6);
    const first = ex.takeChanges();
    assert.deepEqual(
      sortBy(first.newOrders, (o) => String(o.id).padStart(3, '0')).map((o) => [
        o.id,
        o.account,
        o.isBuy,
        o.shares,
        o.limit,
        o.open,
        o.time,
      ]),
      [
        [1, '1', true, sh('300'), px('125'), sh('300'), T0 + 1],
        [2, '2', false, sh('100'), px('130'), sh('100'), T0 + 2],
        [3, '3', true, sh('200'), px('127'), sh('200'), T0 + 3],
        [4, '4', false, sh('500'), px('128'), sh('500'), T0 + 4],
        [5, '5', false, sh('200'), px('140'), sh('200'), T0 + 5],
        [6, '6', true, sh('400'), px('125'), sh('400'), T0 + 6],
      ],
    );
    assert.ok(first.newOrders.every((o) => o.sym === 'X'));
    place(ex, '7', sell('X', '400', '124'), T0 + 7);
    const c = ex.takeChanges();
    assert.deepEqual(c.newOrders, [
      {
        id: 7,
        account: '7',
        sym: 'X',
        isBuy: false,
        shares: sh('400'),
        limit: px('124'),
        open: 0n,
        time: T0 + 7,
        ...PLAIN_ORDER,
      },
    ]);
    assert.deepEqual(
      sortBy(c.orderUpdates, (u) => String(u.id)),
      [
        { id: 1, open: sh('100') },
        { id: 3, open: 0n },
      ],
    );
    assert.deepEqual(c.executions, [
      {
        sym: 'X',
        buyOrderId: 3,
        sellOrderId: 7,
        shares: sh('200'),
        price: px('127'),
        time: T0 + 7,
        ...NO_FEES_CHARGED,
      },
      {
        sym: 'X',
        buyOrderId: 1,
        sellOrderId: 7,
        shares: sh('200'),
        price: px('125'),
        time: T0 + 7,
        ...NO_FEES_CHARGED,
      },
    ]);
    assert.deepEqual(c.cancels, []);
    // The book's market-data sequence moved: two matches.
    assert.deepEqual(c.symbols, [{ sym: 'X', granted: sh('4000'), seq: 8 }]);
    // The seller got cash; buyers 1 and 3 paid exactly their limit (no refund, so their
    // cash may or may not be reported, but if it is it must be right).
    const cash = new Map(c.accounts.map((a) => [a.id, a.cash]));
    assert.equal(cash.get('7'), money('50400'));
    if (cash.has('1')) assert.equal(cash.get('1'), money('62500'));
    if (cash.has('3')) assert.equal(cash.get('3'), money('74600'));
    assert.deepEqual(
      sortBy(c.positions, (p) => p.account),
      [
        { account: '1', sym: 'X', shares: sh('200') },
        { account: '3', sym: 'X', shares: sh('200') },
        { account: '7', sym: 'X', shares: sh('600') },
      ],
    );
  });

  test('a cancel batch reports the cancel, the order update and the refund', () => {
    const ex = twoParty('1000');
    place(ex, '1', buy('S', '10', '50'), T0 + 1); // 1
    place(ex, '2', sell('S', '10', '60'), T0 + 1); // 2
    ex.takeChanges();
    tx(ex, '1', [cancel(1)], T0 + 2);
    tx(ex, '2', [cancel(2)], T0 + 3);
    const c = ex.takeChanges();
    assert.deepEqual(c.cancels, [
      { orderId: 1, shares: sh('10'), time: T0 + 2 },
      { orderId: 2, shares: sh('10'), time: T0 + 3 },
    ]);
    assert.deepEqual(
      sortBy(c.orderUpdates, (u) => String(u.id)),
      [
        { id: 1, open: 0n },
        { id: 2, open: 0n },
      ],
    );
    assert.deepEqual(c.accounts, [{ id: '1', cash: money('1000'), deposited: money('1000') }]);
    assert.deepEqual(c.positions, [{ account: '2', sym: 'S', shares: sh('1000') }]);
    assert.deepEqual([c.newOrders, c.executions], [[], []]);
    // Two cancels, after two orders rested: the book's fourth event.
    assert.deepEqual(c.symbols, [{ sym: 'S', granted: sh('1000'), seq: 4 }]);
  });

  test('an order placed and canceled in one batch is one new-order row', () => {
    const ex = twoParty('1000');
    ex.takeChanges();
    place(ex, '1', buy('S', '10', '50'), T0 + 1);
    tx(ex, '1', [cancel(1)], T0 + 2);
    const c = ex.takeChanges();
    assert.deepEqual(
      c.newOrders.map((o) => [o.id, o.open]),
      [[1, 0n]],
    );
    assert.deepEqual(c.orderUpdates, []);
    assert.deepEqual(c.cancels, [{ orderId: 1, shares: sh('10'), time: T0 + 2 }]);
    assert.deepEqual(c.accounts, [{ id: '1', cash: money('1000'), deposited: money('1000') }]);
  });

  test('rejected requests and queries report nothing', () => {
    const ex = twoParty('10');
    place(ex, '2', sell('S', '1', '100'));
    ex.takeChanges();
    tx(ex, '1', [buy('S', '1', '100'), sell('S', '1', '1'), query(1), cancel(1), cancel(7)]);
    tx(ex, '77', [buy('S', '1', '1')]);
    create(ex, account('1', '5'), symbol('S', ['88', '1']));
    assert.ok(isEmptyChangeSet(ex.takeChanges()));
  });
});

describe('restore', () => {
  test('the worked example restored from per-request commits equals the live engine', async () => {
    const store = new MemoryStore();
    const commits: Promise<void>[] = [];
    const live = workedExample(7, (ex) => commits.push(store.commit(ex.takeChanges())));
    await Promise.all(commits);
    const restored = Exchange.restore(await store.load());
    assert.deepEqual(dumpState(restored), dumpState(live));
    assert.ok(isEmptyChangeSet(restored.takeChanges()));

    // Continue on both: order 1 (100 open @ 125) goes before order 6 at the same price.
    const more: [string, TransactionChild[]][] = [
      ['7', [sell('X', '150', '125')]],
      ['1', [query(1), query(6), cancel(6)]],
      ['2', [sell('X', '50', '120'), buy('X', '1', '1')]],
      ['3', [buy('X', '200', '129'), query(8)]],
    ];
    more.forEach(([acct, children], i) => {
      const a = tx(live, acct, children, T0 + 100 + i);
      const b = tx(restored, acct, children, T0 + 100 + i);
      assert.deepEqual(b, a, `step ${i}`);
    });
    expectStatus(restored, 1, '0', [fill('200', '125', T0 + 7), fill('100', '125', T0 + 100)]);
    expectStatus(restored, 8, '0', [fill('100', '125', T0 + 100), fill('50', '125', T0 + 100)]);
    assert.deepEqual(dumpState(restored), dumpState(live));
  });

  test('restore from one big batch equals restore from many', async () => {
    const builder = new SnapshotBuilder();
    const perRequest = workedExample(7, (ex) => builder.add(ex.takeChanges()));
    const single = workedExample(7);
    const oneBatch = new SnapshotBuilder();
    oneBatch.add(single.takeChanges());
    const a = Exchange.restore(builder.snapshot());
    const b = Exchange.restore(oneBatch.snapshot());
    assert.deepEqual(dumpState(a), dumpState(perRequest));
    assert.deepEqual(dumpState(b), dumpState(single));
    assert.deepEqual(dumpState(a), dumpState(b));
  });

  test('a partly filled order keeps its time priority across a restore', async () => {
    const store = new MemoryStore();
    const live = new Exchange();
    create(
      live,
      account('1', '100000'),
      account('2', '0'),
      account('3', '0'),
      symbol('S', ['2', '100'], ['3', '100']),
    );
    place(live, '2', sell('S', '10', '100'), T0 + 1); // 1
    place(live, '3', sell('S', '10', '100'), T0 + 2); // 2
    place(live, '2', sell('S', '10', '99'), T0 + 3); // 3
    place(live, '1', buy('S', '15', '100'), T0 + 4); // 4: all of 3, 5 of 1
    place(live, '3', sell('S', '10', '100'), T0 + 5); // 5
    place(live, '1', buy('S', '5', '90'), T0 + 6); // 6 (bid)
    place(live, '1', buy('S', '5', '90'), T0 + 7); // 7 (bid)
    await store.commit(live.takeChanges());
    const restored = Exchange.restore(await store.load());
    assert.deepEqual(book(restored, 'S'), {
      bids: [{ price: px('90'), ids: [6, 7] }],
      asks: [{ price: px('100'), ids: [1, 2, 5] }],
    });
    for (const ex of [live, restored]) {
      place(ex, '1', buy('S', '12', '100'), T0 + 10); // 8: 5 of order 1, 7 of order 2
      place(ex, '2', sell('S', '6', '90'), T0 + 11); // 9: 5 of 6, 1 of 7
    }
    expectStatus(restored, 1, '0', [fill('5', '100', T0 + 4), fill('5', '100', T0 + 10)]);
    expectStatus(restored, 2, '3', [fill('7', '100', T0 + 10)]);
    expectStatus(restored, 7, '4', [fill('1', '90', T0 + 11)]);
    assert.deepEqual(dumpState(restored), dumpState(live));
  });

  test('more distinct sizes and prices than a restore shares come back as they were', async () => {
    const store = new MemoryStore();
    const live = new Exchange();
    create(live, account('1', '100000000000'), account('2', '0'), symbol('S', ['2', '100000000']));
    // Every order its own size and price, some partly filled: past the values a restore
    // keeps one of each, and with open shares other than the size.
    for (let i = 1; i <= 5000; i++) place(live, '2', sell('S', String(i), String(1000 + i)), T0);
    for (let i = 1; i <= 50; i++) place(live, '1', buy('S', String(i), String(1000 + i * 99)), T0);
    for (let i = 1; i <= 3000; i++) place(live, '1', buy('S', String(i), String(i)), T0);
    await store.commit(live.takeChanges());
    const restored = Exchange.restore(await store.load());
    assert.deepEqual(dumpState(restored), dumpState(live));
    assert.deepEqual(book(restored, 'S'), book(live, 'S'));
  });

  test('an empty snapshot restores an empty exchange', () => {
    const ex = Exchange.restore({
      accounts: [],
      symbols: [],
      positions: [],
      orders: [],
      executions: [],
      cancels: [],
      amendments: [],
    });
    assert.equal(ex.peekNextOrderId, 1);
    assert.deepEqual(dumpState(ex), dumpState(new Exchange()));
  });
});
