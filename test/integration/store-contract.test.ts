// One suite, every store: what a store of record must do, run against memory, SQLite and
// PostgreSQL alike.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { CASH_SCALE, PRICE_SCALE, SHARE_SCALE, parseDecimal } from '../../src/decimal/fixed.js';
import { FEE_SCALE } from '../../src/engine/fees.js';
import type { ArchivedOrder } from '../../src/engine/archive.js';
import type { Order } from '../../src/engine/order.js';
import {
  emptyChangeSet,
  termsOf,
  type AmendmentRow,
  type CancelRow,
  type ChangeSet,
  type ExecutionRow,
  type OrderRow,
  type Snapshot,
} from '../../src/engine/changes.js';
import type { Request, TransactionChild } from '../../src/engine/commands.js';
import { danglingReferences } from '../../src/engine/snapshot-references.js';
import { Exchange } from '../../src/engine/exchange.js';
import {
  validateAmend,
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../../src/engine/validate.js';
import { mergeChangeSets } from '../../src/engine/merge-changes.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { PostgresStore, readPostgresSnapshot } from '../../src/store/postgres-store.js';
import { readSqliteSnapshot } from '../../src/store/sqlite-database.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { dumpState } from '../support/engine-state.js';
import { pgBaseUrl, PG_SKIP_REASON } from '../../harness/postgres.js';
import { freshPostgresUrl } from '../support/databases.js';
import { tempDir } from '../support/server.js';

const dir = tempDir();
after(() => dir.remove());

interface Location {
  /** A store on the location (call again to reopen). */
  open(): Store;
  /** Everything committed ('all' scope), as `exchange inspect` reads it beside a server. */
  readAll(): Promise<Snapshot>;
}

interface StoreKind {
  readonly name: string;
  readonly skip: string | false;
  /** A fresh, empty location. */
  fresh(): Promise<Location>;
  readonly exclusive: boolean;
}

let counter = 0;
const KINDS: StoreKind[] = [
  {
    name: 'memory',
    skip: false,
    exclusive: false,
    fresh: async () => {
      const store = new MemoryStore();
      return { open: () => store, readAll: () => store.load() };
    },
  },
  {
    name: 'sqlite',
    skip: false,
    exclusive: true,
    fresh: async () => {
      const path = join(dir.path, `contract-${counter++}.db`);
      return {
        open: () => new SqliteStore(path),
        readAll: async () => {
          const db = new Database(path, { readonly: true, fileMustExist: true });
          try {
            return readSqliteSnapshot(db);
          } finally {
            db.close();
          }
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: pgBaseUrl() === null ? PG_SKIP_REASON : false,
    exclusive: true,
    fresh: async () => {
      const dbUrl = await freshPostgresUrl();
      return {
        open: () => new PostgresStore(dbUrl),
        readAll: async () => {
          const client = new pg.Client({ connectionString: dbUrl });
          await client.connect();
          try {
            return await readPostgresSnapshot(client);
          } finally {
            await client.end();
          }
        },
      };
    },
  },
];

const order = (account: string, amount: string, limit: string): Request => ({
  kind: 'transactions',
  account,
  children: [validateOrder('X', amount, limit)],
});

const SCRIPT: Request[] = [
  {
    kind: 'create',
    children: [
      validateCreateAccount('1', '999999999999999.99999999'),
      validateCreateAccount('2', '0.5'),
      { kind: 'symbol', sym: 'X' },
      validateGrant('X', '2', '1000.12345678'),
      validateGrant('X', '1', '0'),
    ],
  },
  order('2', '-100', '10.5'),
  order('2', '-100.00000001', '10.5'),
  order('2', '-50', '9.99999999'),
  order('1', '150.5', '11'),
  { kind: 'transactions', account: '2', children: [validateOrderRef('cancel', '2')] },
  order('1', '0.00000001', '12345678.12345678'),
  order('2', '-0.00000001', '1'),
];

// The extensions driven through the real engine, fees on: market, IOC and FOK orders, stops
// waiting, triggered and canceled, self-trade prevention, amends that keep or lose priority.
const FEES = { maker: 100_000n, taker: 200_000n, account: '1000' };
const ext = (account: string, ...children: TransactionChild[]): Request => ({
  kind: 'transactions',
  account,
  children,
});
const place = (
  sym: string,
  amount: string,
  limit: string | undefined,
  extras: Parameters<typeof validateOrder>[3] = {},
): TransactionChild => validateOrder(sym, amount, limit, extras);
const EXTENSION_SCRIPT: Request[] = [
  {
    kind: 'create',
    children: [
      validateCreateAccount('1', '100000'),
      validateCreateAccount('2', '1000'),
      validateCreateAccount('3', '5000'),
      { kind: 'symbol', sym: 'X' },
      validateGrant('X', '2', '1000'),
      validateGrant('X', '3', '500'),
    ],
  },
  ext('2', place('X', '-100', '10')),
  ext('2', place('X', '-50', '11', { stp: 'cancel-resting' })),
  ext('1', place('X', '20', '12', { stop: '10.5' })),
  ext('3', place('X', '-10', '8', { stop: '9' })),
  ext('1', place('X', '30', undefined, { type: 'market' })),
  ext('1', place('X', '5', '10', { tif: 'IOC' })),
  ext('1', place('X', '1000', '9', { tif: 'FOK' })),
  ext('2', validateAmend('1', '40', undefined), validateAmend('2', undefined, '10.5')),
  // Takes order 1, then trades at 10.5 and triggers the buy stop, which trades in turn.
  ext('1', place('X', '45', '10.5')),
  ext('2', place('X', '5', '10.5', { stp: 'cancel-incoming' })),
  ext('3', place('X', '-10', '12'), validateAmend('10', '5', undefined)),
  ext('3', validateOrderRef('cancel', '4'), place('X', '-5', '8', { stop: '9' })),
  ext('1', place('X', '1', '9.5', { stp: 'cancel-both' })),
];

/** What dumpState leaves out: the extensions' state of the open orders and the books. */
/** A closed order of the engine as a store's loadOrder must give it back. */
function archivedView(order: Order): ArchivedOrder {
  return {
    account: order.account.id,
    sym: order.sym,
    isBuy: order.isBuy,
    shares: order.shares,
    limit: order.limit,
    time: order.time,
    type: order.terms.type,
    tif: order.terms.tif,
    stop: order.terms.stop,
    stp: order.terms.stp,
    status: order.status(),
  };
}

function dumpExtensions(ex: Exchange): unknown {
  return {
    orders: [...ex.orders.values()]
      .filter((o) => o.open > 0n)
      .map((o) => ({
        id: o.id,
        terms: o.terms,
        waiting: o.waiting,
        triggeredAt: o.triggeredAt,
        priority: o.priority,
        status: o.status(),
      })),
    books: [...ex.books.values()].map((b) => ({
      sym: b.sym,
      seq: b.seq,
      stops: b.stops.all().map((o) => o.id),
    })),
  };
}

// The extensions' rows, built by hand: every new field, with values that must come back
// exactly (fees to the cash scale's last digit, null where a field is off).
const num =
  (scale: number) =>
  (text: string): bigint => {
    const parsed = parseDecimal(text, scale, 30);
    if (!parsed.ok) throw new Error(`bad test number ${text}`);
    return parsed.value;
  };
const sh = num(SHARE_SCALE);
const px = num(PRICE_SCALE);
const cash = num(CASH_SCALE);
const rate = num(FEE_SCALE);

const EMPTY: ChangeSet = emptyChangeSet();

function orderRow(
  o: Partial<OrderRow<bigint>> & Pick<OrderRow, 'id' | 'account' | 'isBuy'>,
): OrderRow<bigint> {
  return {
    sym: 'X',
    shares: sh('1'),
    limit: px('10'),
    open: 0n,
    time: 10,
    type: 'limit',
    tif: 'GTC',
    stop: null,
    stp: null,
    triggeredAt: null,
    priority: 0,
    makerFee: 0n,
    takerFee: 0n,
    ...o,
  };
}

const E1: ExecutionRow = {
  sym: 'X',
  buyOrderId: 2,
  sellOrderId: 1,
  shares: sh('4'),
  price: px('10.5'),
  time: 11,
  buyFee: cash('0.084'),
  sellFee: cash('0.0420000000000001'),
};
const E2: ExecutionRow = {
  sym: 'X',
  buyOrderId: 3,
  sellOrderId: 1,
  shares: sh('1'),
  price: px('10.5'),
  time: 20,
  buyFee: cash('0.021'),
  sellFee: cash('0'),
};
// Fees off after a restart: no fee, not a zero fee.
const E3: ExecutionRow = {
  sym: 'X',
  buyOrderId: 6,
  sellOrderId: 1,
  shares: sh('3'),
  price: px('10.25'),
  time: 30,
  buyFee: null,
  sellFee: null,
};
const A1: AmendmentRow = { orderId: 1, open: sh('3'), limit: px('10.25'), time: 20 };
const A5: AmendmentRow = { orderId: 5, open: sh('1'), limit: px('13'), time: 20 };
const A3: AmendmentRow = { orderId: 3, open: sh('3'), limit: px('12'), time: 30 };
const C4: CancelRow = { orderId: 4, shares: sh('2'), time: 10 };
const C8: CancelRow = { orderId: 8, shares: sh('1'), time: 30 };

/** Every order as the last batch leaves it. */
const FINAL_ORDERS: OrderRow<bigint>[] = [
  // Amended (a new limit: a new priority), then fully executed.
  orderRow({
    id: 1,
    account: '2',
    isBuy: false,
    shares: sh('10'),
    limit: px('10.25'),
    stp: 'cancel-resting',
    priority: 7,
    // The fee rates it was accepted with, to the fee scale's last digit.
    makerFee: rate('0.001'),
    takerFee: rate('0.00200001'),
  }),
  // A market order: limit 0, never rested.
  orderRow({
    id: 2,
    account: '1',
    isBuy: true,
    shares: sh('4'),
    limit: 0n,
    type: 'market',
    tif: 'IOC',
    makerFee: rate('0.001'),
    takerFee: rate('0.002'),
  }),
  // A stop triggered at 20 that rests, then amended down.
  orderRow({
    id: 3,
    account: '1',
    isBuy: true,
    shares: sh('5'),
    limit: px('12'),
    open: sh('3'),
    stop: px('11.5'),
    triggeredAt: 20,
    priority: 8,
  }),
  orderRow({ id: 4, account: '1', isBuy: true, shares: sh('2'), limit: px('9'), tif: 'FOK' }),
  // Placed and amended in the same batch.
  orderRow({
    id: 5,
    account: '2',
    isBuy: false,
    shares: sh('2'),
    limit: px('13'),
    open: sh('1'),
    time: 20,
    priority: 9,
  }),
  orderRow({ id: 6, account: '1', isBuy: true, shares: sh('3'), limit: px('10.25'), time: 30 }),
  // A stop still waiting.
  orderRow({
    id: 7,
    account: '2',
    isBuy: false,
    shares: sh('1'),
    limit: px('9'),
    open: sh('1'),
    time: 30,
    tif: 'IOC',
    stop: px('9.5'),
    stp: 'cancel-both',
  }),
  // A stop canceled while it waited.
  orderRow({
    id: 8,
    account: '1',
    isBuy: true,
    shares: sh('1'),
    limit: px('20'),
    time: 30,
    stop: px('19'),
    stp: 'cancel-incoming',
  }),
];
const final = (id: number): OrderRow<bigint> => FINAL_ORDERS[id - 1]!;

const ACCOUNTS_FINAL = [
  { id: '1', cash: cash('999000.1234567890123456'), deposited: cash('1000000') },
  { id: '1000', cash: cash('0.1470000000000001'), deposited: 0n },
  { id: '2', cash: cash('1000'), deposited: cash('1000') },
];

/** Four batches, as an engine with the extensions would hand them over. */
const EXTENSION_BATCHES: ChangeSet[] = [
  {
    ...EMPTY,
    accounts: [
      { id: '1', cash: cash('1000000'), deposited: cash('1000000') },
      { id: '2', cash: cash('1000'), deposited: cash('1000') },
    ],
    symbols: [{ sym: 'X', granted: sh('100'), seq: 0 }],
    positions: [{ account: '2', sym: 'X', shares: sh('100') }],
  },
  {
    ...EMPTY,
    accounts: [{ id: '1000', cash: cash('0.1260000000000001'), deposited: 0n }],
    symbols: [{ sym: 'X', granted: sh('100'), seq: 2 }],
    newOrders: [
      { ...final(1), open: sh('6'), limit: px('10.5'), priority: 1 },
      final(2),
      { ...final(3), open: sh('5'), triggeredAt: null, priority: 0 },
      final(4),
    ],
    executions: [E1],
    cancels: [C4],
  },
  {
    ...EMPTY,
    symbols: [{ sym: 'X', granted: sh('100'), seq: 5 }],
    newOrders: [{ ...final(5), open: sh('2') }],
    orderReshapes: [
      { id: 3, open: sh('4'), limit: px('12'), triggeredAt: 20, priority: 8 },
      { id: 1, open: sh('3'), limit: px('10.25'), triggeredAt: null, priority: 7 },
      { id: 5, open: sh('1'), limit: px('13'), triggeredAt: null, priority: 9 },
    ],
    executions: [E2],
    amendments: [A1, A5],
  },
  {
    ...EMPTY,
    accounts: ACCOUNTS_FINAL,
    symbols: [{ sym: 'X', granted: sh('100'), seq: 8 }],
    positions: [{ account: '1', sym: 'X', shares: sh('8') }],
    newOrders: [final(6), final(7), final(8)],
    orderUpdates: [{ id: 1, open: 0n }],
    orderReshapes: [{ id: 3, open: sh('3'), limit: px('12'), triggeredAt: 20, priority: 8 }],
    executions: [E3],
    cancels: [C8],
    amendments: [A3],
  },
];

/** The full state those batches leave, as a snapshot of every order. */
const FULL_SNAPSHOT = {
  accounts: ACCOUNTS_FINAL,
  symbols: [{ sym: 'X', granted: sh('100'), seq: 8 }],
  positions: [
    { account: '1', sym: 'X', shares: sh('8') },
    { account: '2', sym: 'X', shares: sh('100') },
  ],
  orders: FINAL_ORDERS,
  executions: [E1, E2, E3],
  cancels: [C4, C8],
  amendments: [A1, A5, A3],
};

/** What a restart loads: the open orders (the waiting stop too), their fills and amends. */
const LIVE_SNAPSHOT = {
  ...FULL_SNAPSHOT,
  scope: 'live',
  nextOrderId: 9,
  orders: [final(3), final(5), final(7)],
  executions: [E2],
  cancels: [],
  amendments: [A5, A3],
};

/** Each order as the store must answer a query of it once the engine forgot it. */
const ARCHIVED: Record<number, ArchivedOrder['status']> = {
  1: {
    open: 0n,
    canceled: null,
    fills: [
      { shares: sh('4'), price: px('10.5'), time: 11, fee: cash('0.0420000000000001') },
      { shares: sh('1'), price: px('10.5'), time: 20, fee: 0n },
      { shares: sh('3'), price: px('10.25'), time: 30 },
    ],
    amendments: [{ open: sh('3'), limit: px('10.25'), time: 20 }],
  },
  2: {
    open: 0n,
    canceled: null,
    fills: [{ shares: sh('4'), price: px('10.5'), time: 11, fee: cash('0.084') }],
  },
  3: {
    open: sh('3'),
    canceled: null,
    fills: [{ shares: sh('1'), price: px('10.5'), time: 20, fee: cash('0.021') }],
    amendments: [{ open: sh('3'), limit: px('12'), time: 30 }],
  },
  4: { open: 0n, canceled: { shares: sh('2'), time: 10 }, fills: [] },
  5: {
    open: sh('1'),
    canceled: null,
    fills: [],
    amendments: [{ open: sh('1'), limit: px('13'), time: 20 }],
  },
  6: { open: 0n, canceled: null, fills: [{ shares: sh('3'), price: px('10.25'), time: 30 }] },
  7: { open: sh('1'), canceled: null, fills: [], stop: px('9.5') },
  8: { open: 0n, canceled: { shares: sh('1'), time: 30 }, fills: [] },
};

/** The ways a store may receive the batches; it must end in the same state every way. */
const DELIVERIES: Record<string, (store: Store) => Promise<void>> = {
  'one by one': async (store) => {
    for (const b of EXTENSION_BATCHES) await store.commit(b);
  },
  'all in flight at once': async (store) => {
    await Promise.all(EXTENSION_BATCHES.map((b) => store.commit(b)));
  },
  // A reshape then an update of a stored order; a new order reshaped; a symbol twice.
  'the last two merged': async (store) => {
    await store.commit(EXTENSION_BATCHES[0]!);
    await store.commit(EXTENSION_BATCHES[1]!);
    await store.commit(mergeChangeSets(EXTENSION_BATCHES.slice(2)));
  },
  'all merged': async (store) => {
    await store.commit(mergeChangeSets(EXTENSION_BATCHES));
  },
};

/** A snapshot with its orders read (they may be a one-pass stream), for comparing. */
function plain(snapshot: Snapshot): Snapshot {
  return { ...snapshot, orders: [...snapshot.orders] };
}

/** The memory store keeps no order of positions; SQL stores return them as they like. */
function sortedPositions(snapshot: Snapshot): Snapshot {
  const key = (p: { account: string; sym: string }): string => `${p.account}\u0000${p.sym}`;
  return {
    ...snapshot,
    accounts: [...snapshot.accounts].sort((a, b) => (a.id < b.id ? -1 : 1)),
    positions: [...snapshot.positions].sort((a, b) => (key(a) < key(b) ? -1 : 1)),
  };
}

/**
 * Every store a test opens is closed after it, pass or fail: an open store's worker or pool
 * would keep the test process alive after a failed assertion, hanging the run.
 */
function closedAfterEach(kind: StoreKind): StoreKind['fresh'] {
  const opened: Store[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close().catch(() => {});
  });
  return async () => {
    const fresh = await kind.fresh();
    const open = (): Store => {
      const store = fresh.open();
      const close = store.close.bind(store);
      let closing: Promise<void> | null = null;
      // Closed once, however often a test and the hook ask.
      store.close = () => (closing ??= close());
      opened.push(store);
      return store;
    };
    return { ...fresh, open };
  };
}

for (const kind of KINDS) {
  describe(`${kind.name} store`, { skip: kind.skip }, () => {
    const fresh = closedAfterEach(kind);
    test('restores exactly what was committed, batches merged or not', async () => {
      const { open } = await fresh();
      const store = open();
      const live = Exchange.restore(await store.load());
      const commits: Promise<void>[] = [];
      // Several commits in flight at once: a store may merge them, never reorder them.
      for (const [i, request] of SCRIPT.entries()) {
        live.apply(request, 1000 + i);
        commits.push(store.commit(live.takeChanges()));
      }
      await Promise.all(commits);
      const restored = Exchange.restore(await store.load());
      if (kind.name !== 'memory') await store.close();
      // A restart holds the open orders; every closed one is answered from the store, whole.
      assert.deepEqual(dumpState(restored, 'open'), dumpState(live, 'open'));
      const reopened = open();
      assert.deepEqual(
        dumpState(Exchange.restore(await reopened.load()), 'open'),
        dumpState(live, 'open'),
      );
      for (const order of live.orders.values()) {
        if (order.open > 0n) continue;
        const stored = await reopened.loadOrder(order.id);
        assert.deepEqual(stored, archivedView(order));
      }
      await reopened.close();
    });

    test("an engine's extensions state restores exactly, and goes on alike", async () => {
      const { open } = await fresh();
      const store = open();
      const live = Exchange.restore(await store.load(), { fees: FEES });
      const commits: Promise<void>[] = [];
      for (const [i, request] of EXTENSION_SCRIPT.entries()) {
        for (const r of live.apply(request, 5000 + i)) assert.notEqual(r.kind, 'archived');
        commits.push(store.commit(live.takeChanges()));
      }
      await Promise.all(commits);
      await store.close();

      const reopened = open();
      const restored = Exchange.restore(await reopened.load(), { fees: FEES });
      assert.deepEqual(dumpState(restored, 'open'), dumpState(live, 'open'));
      assert.deepEqual(dumpExtensions(restored), dumpExtensions(live));
      const kinds = new Set<string>();
      for (const order of live.orders.values()) {
        kinds.add(`${order.terms.type}/${order.terms.tif}/${order.terms.stop !== null}`);
        if (order.open > 0n) continue;
        assert.deepEqual(
          await reopened.loadOrder(order.id),
          archivedView(order),
          `order ${order.id}`,
        );
      }
      // The script reached what it means to test.
      assert.ok(live.orders.get(3)!.triggeredAt !== null, 'the buy stop triggered');
      assert.ok(live.orders.get(1)!.status().amendments !== undefined, 'an amend was recorded');
      assert.equal(kinds.size, 5, [...kinds].join(' '));
      assert.ok(
        [...live.orders.values()].some((o) => o.fills.some((f) => f.buyFee !== null)),
        'fees were charged',
      );

      // Both go on alike: the priority counter, the waiting stop and fees carried over.
      const next: Request[] = [
        ext('1', place('X', '100', '12')),
        ext('2', place('X', '-200', '8')),
        ext('3', place('X', '-1', '20'), validateAmend('14', undefined, '19')),
      ];
      for (const [i, request] of next.entries()) {
        assert.deepEqual(restored.apply(request, 6000 + i), live.apply(request, 6000 + i));
        assert.deepEqual(restored.takeChanges(), live.takeChanges());
      }
      await reopened.close();
    });

    test('loadOrder returns a committed order with its fills and cancel', async () => {
      const { open } = await fresh();
      const store = open();
      const live = Exchange.restore(await store.load());
      for (const [i, request] of SCRIPT.entries()) live.apply(request, 2000 + i);
      await store.commit(live.takeChanges());
      for (const id of [1, 2, 3, 4, 5, 6]) {
        const found = await store.loadOrder(id);
        const order = live.orders.get(id)!;
        assert.ok(found, `order ${id}`);
        assert.equal(found.account, order.account.id);
        assert.deepEqual(found.status, order.status());
      }
      assert.equal(await store.loadOrder(99), null);
      await store.close();
    });

    test('a store writing on a thread of its own reports each group it wrote', async () => {
      const { open } = await fresh();
      const store = open();
      if (kind.name === 'memory') {
        // It writes in line, in the engine's thread: no time apart to report.
        assert.equal(store.observeWrites, undefined);
        return;
      }
      assert.ok(store.observeWrites, `${kind.name} reports its writes`);
      const groups: { seconds: number; batches: number }[] = [];
      store.observeWrites((seconds, batches) => groups.push({ seconds, batches }));
      const live = Exchange.restore(await store.load());
      // One commit alone, then the rest in flight at once: a store may merge them.
      live.apply(SCRIPT[0]!, 4000);
      await store.commit(live.takeChanges());
      assert.equal(groups.length, 1);
      assert.equal(groups[0]!.batches, 1);
      const commits: Promise<void>[] = [];
      for (const [i, request] of SCRIPT.slice(1).entries()) {
        live.apply(request, 4001 + i);
        commits.push(store.commit(live.takeChanges()));
      }
      await Promise.all(commits);
      // Every batch in exactly one group, each reported before its batches' commits settled.
      assert.equal(
        groups.reduce((sum, g) => sum + g.batches, 0),
        SCRIPT.length,
      );
      for (const g of groups) {
        assert.ok(g.batches >= 1);
        assert.ok(g.seconds > 0 && g.seconds < 10, `a write of ${g.seconds} s`);
      }
      await store.close();
    });

    test('recentExecutions gives the newest executions, oldest first', async () => {
      const { open } = await fresh();
      const store = open();
      const live = Exchange.restore(await store.load());
      const executions = [];
      for (const [i, request] of SCRIPT.entries()) {
        live.apply(request, 3000 + i);
        const changes = live.takeChanges();
        executions.push(...changes.executions);
        await store.commit(changes);
      }
      assert.ok(executions.length >= 3);
      assert.deepEqual(await store.recentExecutions(2), executions.slice(-2));
      assert.deepEqual(await store.recentExecutions(1000), executions);
      await store.close();
    });

    for (const [how, deliver] of Object.entries(DELIVERIES)) {
      test(`the extensions' fields round-trip exactly (${how})`, async () => {
        const { open, readAll } = await fresh();
        const store = open();
        await store.load();
        await deliver(store);
        await store.close();

        const reopened = open();
        const loaded = sortedPositions(await reopened.load());
        // A durable store loads what a restart needs; the memory store holds everything.
        const expected = loaded.scope === 'live' ? LIVE_SNAPSHOT : FULL_SNAPSHOT;
        assert.deepEqual(plain(loaded), expected);
        // Read once: a store's orders may be a one-pass stream.
        const all = plain(sortedPositions(await readAll()));
        assert.deepEqual(all, FULL_SNAPSHOT);
        assert.deepEqual(danglingReferences(all), []);

        for (const o of FINAL_ORDERS) {
          const archived: ArchivedOrder = {
            account: o.account,
            sym: o.sym,
            isBuy: o.isBuy,
            shares: o.shares,
            limit: o.limit,
            time: o.time,
            type: termsOf(o).type,
            tif: termsOf(o).tif,
            stop: termsOf(o).stop,
            stp: termsOf(o).stp,
            status: ARCHIVED[o.id]!,
          };
          assert.deepEqual(await reopened.loadOrder(o.id), archived, `order ${o.id}`);
        }
        assert.deepEqual(await reopened.recentExecutions(2), [E2, E3]);
        await reopened.close();
      });
    }

    if (kind.exclusive) {
      test('a second engine on the same database is refused', async () => {
        const { open } = await fresh();
        const first = open();
        await first.load();
        const second = open();
        await assert.rejects(second.load(), /another exchange server is using/);
        await second.close().catch(() => {});
        await first.close();
        const third = open();
        await third.load();
        await third.close();
      });
    }
  });
}
