// The adaptive engine (the column engine, then the classic one from the first request the
// columns do not take) against the classic engine alone, on random request sequences: base
// commands mostly, some immediate-or-cancel, fill-or-kill, market, stop-limit and
// self-trade-preventing orders, amends and market data switched on (the columns run them
// too), now and then one only the classic engine runs (a value past the columns' ranges), to
// exercise the hand-over at any point. After every request the results are the same; after
// every batch the change sets are the same row for row (or, for the batch of a hand-over,
// write the same tables), and so are the market-data events (taken mid-batch too); evicting
// closed orders answers the same; at the end every order, account and book reads the same,
// and the audit finds nothing. Then a restore of the written state runs the same again on
// both.
//
// On failure fast-check prints the seed and the shrunk counterexample; rerun one with
// COLUMN_SEED=<seed> (and COLUMN_RUNS=<n> for a longer hunt).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Exchange } from '../../src/engine/exchange.js';
import { AdaptiveExchange, type MatchingEngine } from '../../src/engine/adaptive-exchange.js';
import type { ChangeSet, Snapshot } from '../../src/engine/changes.js';
import type {
  CreateChild,
  PlaceOrder,
  Request,
  Result,
  TransactionChild,
} from '../../src/engine/commands.js';
import { exchangeError } from '../../src/engine/errors.js';
import { safeUnits } from '../../src/decimal/fixed.js';
import type { SideRead } from '../../src/engine/exchange-view.js';
import { bigBookEvent, bigChangeSet, bigResult } from '../../src/engine/big-rows.js';
import type { BookEvent } from '../../src/engine/book-events.js';

const SYMBOLS = ['SPY', 'X', 'NOPE'];
const ACCOUNTS = ['1', '2', '3', '999'];
const UNIT = 100_000_000n; // 10^8: one share, one dollar of a price
const CASH_UNIT = UNIT * UNIT; // one dollar of cash (10^-16)

type Step =
  | { t: 'request'; request: Request; dt: number }
  | { t: 'batch'; keep: number }
  | { t: 'record' }
  | { t: 'events' };

const sharesArb = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => BigInt(n) * UNIT) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 999 }).map((n) => BigInt(n) * 10_000_000n) },
  // Past 2^53 units: the classic engine's.
  { weight: 1, arbitrary: fc.constant(2n ** 53n + 1n) },
);
const priceArb = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 95, max: 105 }).map((n) => BigInt(n) * UNIT) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 9_999 }).map((n) => BigInt(n) * 1_000_000n) },
  { weight: 1, arbitrary: fc.constant(2n ** 53n) },
);

function order(
  sym: string,
  shares: bigint,
  isBuy: boolean,
  limit: bigint,
  kind: number,
): PlaceOrder {
  const amount = isBuy ? shares : -shares;
  const echo: [string, string][] = [['sym', sym]];
  // Most orders are plain limit orders; a few are the extensions' (the column engine runs them
  // all: stops are kinds 3 and 15-20).
  // The units as the parser gives them: the amounts as doubles when safe integers, else NaN.
  const units = { amountUnits: safeUnits(amount), limitUnits: safeUnits(limit) };
  const base = { kind: 'order', sym, amount, echo, ...units } as const;
  switch (kind) {
    case 1:
      return { ...base, limit, type: 'limit', tif: 'IOC', stop: null, stp: null };
    case 2: {
      const market = { limit: null, limitUnits: NaN, type: 'market', tif: 'IOC' } as const;
      return { ...base, ...market, stop: null, stp: null };
    }
    case 3:
      return { ...base, limit, type: 'limit', tif: 'GTC', stop: limit, stp: null };
    case 4:
      return { ...base, limit, type: 'limit', tif: 'GTC', stop: null, stp: 'cancel-both' };
    case 5:
      return { ...base, limit, type: 'limit', tif: 'FOK', stop: null, stp: null };
    case 6:
      return { ...base, limit, type: 'limit', tif: 'GTC', stop: null, stp: 'cancel-resting' };
    case 7:
      return { ...base, limit, type: 'limit', tif: 'FOK', stop: null, stp: 'cancel-incoming' };
    case 8:
      return { ...base, limit, type: 'limit', tif: 'FOK', stop: null, stp: 'cancel-resting' };
    case 9:
    case 10:
    case 11: {
      const market = { limit: null, limitUnits: NaN, type: 'market', tif: 'IOC' } as const;
      const stp = (['cancel-incoming', 'cancel-resting', 'cancel-both'] as const)[kind - 9]!;
      return { ...base, ...market, stop: null, stp };
    }
    case 12:
      return { ...base, limit, type: 'limit', tif: 'GTC', stop: null, stp: 'cancel-incoming' };
    case 13:
      return { ...base, limit, type: 'limit', tif: 'IOC', stop: null, stp: 'cancel-both' };
    case 14:
      return { ...base, limit, type: 'limit', tif: 'FOK', stop: null, stp: 'cancel-both' };
    case 15:
      return { ...base, limit, type: 'limit', tif: 'IOC', stop: limit, stp: null };
    case 16: {
      // A stop away from its limit: a buy's above it, a sell's below (within the book's prices).
      const stop = isBuy ? limit + UNIT : limit > UNIT ? limit - UNIT : limit;
      return { ...base, limit, type: 'limit', tif: 'GTC', stop, stp: null };
    }
    case 17:
      return { ...base, limit, type: 'limit', tif: 'GTC', stop: limit, stp: 'cancel-resting' };
    case 18:
      return { ...base, limit, type: 'limit', tif: 'FOK', stop: limit, stp: null };
    case 19:
      return { ...base, limit, type: 'limit', tif: 'IOC', stop: limit, stp: 'cancel-incoming' };
    case 20:
      return { ...base, limit, type: 'limit', tif: 'GTC', stop: limit, stp: 'cancel-both' };
    default:
      return { ...base, limit, type: 'limit', tif: 'GTC', stop: null, stp: null };
  }
}

const idArb = fc.integer({ min: 1, max: 40 });
const txChildArb: fc.Arbitrary<TransactionChild> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        sym: fc.constantFrom(...SYMBOLS),
        shares: sharesArb,
        isBuy: fc.boolean(),
        limit: priceArb,
        kind: fc.oneof(
          { weight: 40, arbitrary: fc.constant(0) },
          { weight: 6, arbitrary: fc.integer({ min: 1, max: 20 }) },
        ),
      })
      .map(({ sym, shares, isBuy, limit, kind }) => order(sym, shares, isBuy, limit, kind)),
  },
  {
    weight: 4,
    arbitrary: idArb.map(
      (orderId) => ({ kind: 'query', orderId, echo: [['id', `${orderId}`]] }) as const,
    ),
  },
  {
    weight: 4,
    arbitrary: idArb.map(
      (orderId) => ({ kind: 'cancel', orderId, echo: [['id', `${orderId}`]] }) as const,
    ),
  },
  {
    weight: 3,
    // A new size, a new limit, or both.
    arbitrary: fc
      .record({ orderId: idArb, amount: fc.option(sharesArb), limit: fc.option(priceArb) })
      .filter(({ amount, limit }) => amount !== null || limit !== null)
      .map(
        ({ orderId, amount, limit }) =>
          ({ kind: 'amend', orderId, amount, limit, echo: [['id', `${orderId}`]] }) as const,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constant({
      kind: 'invalid',
      echo: [['sym', '']],
      error: exchangeError('INVALID_SYMBOL'),
    } as const),
  },
);

const createChildArb: fc.Arbitrary<CreateChild> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({
        id: fc.constantFrom(...ACCOUNTS),
        dollars: fc.oneof(
          { weight: 10, arbitrary: fc.integer({ min: 0, max: 100_000 }).map(BigInt) },
          // Deposits past the pairs' range: the classic engine's.
          { weight: 1, arbitrary: fc.constant(10n ** 15n - 1n) },
        ),
      })
      .map(({ id, dollars }) => ({ kind: 'account', id, balance: dollars * CASH_UNIT }) as const),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...SYMBOLS).map((sym) => ({ kind: 'symbol', sym }) as const),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        sym: fc.constantFrom(...SYMBOLS),
        id: fc.constantFrom(...ACCOUNTS),
        shares: sharesArb,
      })
      .map(({ sym, id, shares }) => ({ kind: 'grant', sym, id, shares }) as const),
  },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .record({
        account: fc.constantFrom(...ACCOUNTS),
        children: fc.array(txChildArb, { minLength: 1, maxLength: 3 }),
        dt: fc.integer({ min: 0, max: 2 }),
      })
      .map(({ account, children, dt }): Step => ({
        t: 'request',
        request: { kind: 'transactions', account, children },
        dt,
      })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        children: fc.array(createChildArb, { minLength: 1, maxLength: 4 }),
        dt: fc.constant(0),
      })
      .map(({ children, dt }): Step => ({
        t: 'request',
        request: { kind: 'create', children },
        dt,
      })),
  },
  {
    weight: 4,
    arbitrary: fc.integer({ min: 0, max: 3 }).map((keep): Step => ({ t: 'batch', keep })),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'record' } as const) },
  { weight: 1, arbitrary: fc.constant({ t: 'events' } as const) },
);

/** A setup most runs start with: funded accounts holding both symbols. */
const SETUP: Request = {
  kind: 'create',
  children: [
    ...ACCOUNTS.slice(0, 3).map(
      (id) => ({ kind: 'account', id, balance: 50_000n * CASH_UNIT }) as const,
    ),
    ...SYMBOLS.slice(0, 2).flatMap((sym) =>
      ACCOUNTS.slice(0, 3).map((id) => ({ kind: 'grant', sym, id, shares: 500n * UNIT }) as const),
    ),
  ],
};

/** What a store would hold after writing change sets: tables keyed as the store keys them. */
class Tables {
  readonly accounts = new Map<string, unknown>();
  readonly symbols = new Map<string, unknown>();
  readonly positions = new Map<string, unknown>();
  readonly orders = new Map<number, Record<string, unknown>>();
  readonly journal: unknown[] = [];

  write(c: ChangeSet): void {
    for (const a of c.accounts) this.accounts.set(a.id, a);
    for (const s of c.symbols) this.symbols.set(s.sym, s);
    for (const p of c.positions) this.positions.set(`${p.account} ${p.sym}`, p);
    for (const o of c.newOrders) this.orders.set(o.id, { ...o });
    for (const u of c.orderUpdates) this.orders.get(u.id)!.open = u.open;
    for (const r of c.orderReshapes) Object.assign(this.orders.get(r.id)!, r);
    this.journal.push(...c.executions, ...c.cancels, ...c.amendments);
  }

  snapshot(nextOrderId: number): Snapshot {
    const orders = [...this.orders.values()].sort((a, b) => (a.id as number) - (b.id as number));
    const journal = this.journal as Record<string, unknown>[];
    return {
      accounts: [...this.accounts.values()] as Snapshot['accounts'],
      symbols: [...this.symbols.values()] as Snapshot['symbols'],
      positions: [...this.positions.values()] as Snapshot['positions'],
      orders: orders as unknown as Snapshot['orders'],
      executions: journal.filter((r) => 'buyOrderId' in r) as unknown as Snapshot['executions'],
      cancels: journal.filter(
        (r) => 'shares' in r && !('buyOrderId' in r),
      ) as unknown as Snapshot['cancels'],
      amendments: journal.filter(
        (r) => 'limit' in r && !('buyOrderId' in r),
      ) as unknown as Snapshot['amendments'],
      nextOrderId,
    };
  }
}

/** Every order, account and book as the views read them, with the counts. */
function views(engine: MatchingEngine): unknown {
  const orders = [];
  for (let id = 0; id <= engine.peekNextOrderId; id++) {
    const o = engine.order(id);
    orders.push(
      o === undefined
        ? null
        : { id, sym: o.sym, isBuy: o.isBuy, limit: o.limit, terms: o.terms, status: o.status() },
    );
  }
  const accounts = ACCOUNTS.map((id) => {
    const a = engine.account(id);
    if (a === undefined) return null;
    const positions = [...a.positions].map(([sym, p]) => [sym, p.shares]).sort();
    return { cash: a.cash, positions, resting: [...a.restingOrders()].map((o) => o.id) };
  });
  const books = SYMBOLS.map((sym) => {
    const b = engine.book(sym);
    if (b === undefined) return null;
    const side = (levels: SideRead) => {
      const all = levels.levels().map((l) => {
        const orders: [number, bigint][] = [];
        for (let o = l.head; o !== null; o = o.next) orders.push([o.id, o.open]);
        return { price: l.price, open: l.openShares, count: l.count, orders };
      });
      const top = levels.topLevels(2).map((l) => l.price);
      return { all, top, best: levels.best()?.price, n: [levels.levelCount, levels.orderCount] };
    };
    return { seq: b.seq, granted: b.granted, bids: side(b.bids), asks: side(b.asks) };
  });
  return {
    orders,
    accounts,
    books,
    counts: [engine.accountCount, engine.symbolCount, engine.orderCount, engine.restingOrderCount],
    closed: engine.closedInMemory,
  };
}

function run(
  adaptive: MatchingEngine,
  classic: Exchange,
  steps: readonly Step[],
  tables: { adaptive: Tables; classic: Tables },
): void {
  let now = 1_000;
  for (const [i, step] of steps.entries()) {
    if (step.t === 'events') {
      const events = adaptive.takeEvents().map(bigBookEvent);
      assert.deepEqual(events, classic.takeEvents(), `step ${i}: events mid-batch`);
      continue;
    }
    if (step.t === 'record') {
      adaptive.recordBookEvents();
      classic.recordBookEvents();
      continue;
    }
    if (step.t === 'batch') {
      const batch = classic.currentBatch;
      assert.equal(adaptive.currentBatch, batch, `step ${i}: batch number`);
      // The column engine's rows carry doubles; compared as the bigints they stand for, row for
      // row, the batch of a hand-over too (its two parts merged as a store merges them).
      const a = bigChangeSet(adaptive.takeChanges());
      const c = classic.takeChanges();
      tables.adaptive.write(a);
      tables.classic.write(c);
      assert.deepEqual(a, c, `step ${i}: changes`);
      assert.deepEqual(tables.adaptive, tables.classic, `step ${i}: tables`);
      const events = adaptive.takeEvents().map(bigBookEvent);
      assert.deepEqual(events, classic.takeEvents(), `step ${i}: events`);
      const evicted = classic.evictClosed(batch, step.keep);
      assert.equal(adaptive.evictClosed(batch, step.keep), evicted, `step ${i}: evicted`);
      continue;
    }
    now += step.dt;
    const expected = classic.apply(step.request, now);
    const actual = adaptive.apply(step.request, now).map(bigResult);
    assert.deepEqual(
      actual,
      expected,
      `step ${i}: results of ${JSON.stringify(step.request, big)}`,
    );
  }
  assert.deepEqual(views(adaptive), views(classic), 'views at the end');
  assert.deepEqual(adaptive.audit().problems, []);
}

const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);

const seed = process.env.COLUMN_SEED === undefined ? {} : { seed: Number(process.env.COLUMN_SEED) };
const numRuns = Number(process.env.COLUMN_RUNS ?? 1000);

const WIDE = 2n ** 53n;

/** The steps without what only the classic engine runs: a run that stays on the columns. */
function baseOnly(steps: readonly Step[]): Step[] {
  const plain = (c: TransactionChild | CreateChild): boolean => {
    switch (c.kind) {
      case 'order':
        return (
          (c.type === 'market' || c.limit! < WIDE) &&
          (c.stop === null || c.stop < WIDE) &&
          c.amount < WIDE &&
          -c.amount < WIDE
        );
      case 'amend':
        return (c.amount ?? 0n) < WIDE && (c.limit ?? 0n) < WIDE;
      case 'account':
        return c.balance < 10n ** 10n * CASH_UNIT;
      case 'grant':
        return c.shares < WIDE;
      default:
        return true;
    }
  };
  const kept: Step[] = [];
  for (const step of steps) {
    if (step.t !== 'request') kept.push(step);
    else if (step.request.kind === 'create') {
      const children = step.request.children.filter(plain);
      if (children.length > 0) kept.push({ ...step, request: { kind: 'create', children } });
    } else {
      const children = step.request.children.filter(plain);
      if (children.length > 0) kept.push({ ...step, request: { ...step.request, children } });
    }
  }
  return kept;
}

test('the adaptive engine answers and changes as the classic engine, across hand-overs', () => {
  const property = fc.property(
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
    fc.array(stepArb, { minLength: 1, maxLength: 80, size: 'medium' }),
    (setup, base, bookEvents, generated) => {
      // Half the runs stay on the column engine; the others hand over wherever it happens.
      const steps = base ? baseOnly(generated) : generated;
      // Half record market data from the start; the others from a 'record' step, if any.
      const adaptive = AdaptiveExchange.create({ bookEvents });
      const classic = new Exchange({ bookEvents });
      const tables = { adaptive: new Tables(), classic: new Tables() };
      const all: Step[] = setup ? [{ t: 'request', request: SETUP, dt: 0 }, ...steps] : steps;
      const last: Step = { t: 'batch', keep: 0 };
      run(adaptive, classic, [...all, last], tables);
      if (base)
        assert.equal(adaptive.engineKind, 'columns', 'base-protocol requests stay on the columns');
      // Restored from what was written, both go on alike.
      const snapshot = tables.classic.snapshot(classic.peekNextOrderId);
      const restoredAdaptive = AdaptiveExchange.restore(snapshot);
      const restoredClassic = Exchange.restore(snapshot);
      if (base) assert.equal(restoredAdaptive.engineKind, 'columns', 'restored on the columns');
      assert.deepEqual(views(restoredAdaptive), views(restoredClassic), 'views after a restore');
      run(restoredAdaptive, restoredClassic, [...steps, last], tables);
    },
  );
  const out = fc.check(property, { numRuns, ...seed });
  // The assertion's own message (fast-check's report leaves it out under node:test).
  if (out.failed) {
    const error = out.errorInstance as Error;
    assert.fail(`seed ${out.seed}, ${JSON.stringify(out.counterexample, big)}\n${error.stack}`);
  }
});

test('limit orders of every time in force, market orders, self-trade prevention, amends and stops stay on the column engine; a price past its range hands over', () => {
  const engine = AdaptiveExchange.create();
  engine.apply(SETUP, 1);
  const place = (account: string, child: PlaceOrder): void => {
    engine.apply({ kind: 'transactions', account, children: [child] }, 2);
  };
  place('1', order('SPY', UNIT, true, 100n * UNIT, 0)); // rests
  place('2', order('SPY', 2n * UNIT, false, 90n * UNIT, 1)); // an IOC: fills 1, rest canceled
  place('2', order('SPY', UNIT, false, 90n * UNIT, 5)); // a FOK: nothing to fill, killed
  place('1', order('SPY', UNIT, true, 100n * UNIT, 0)); // rests
  place('2', order('SPY', 2n * UNIT, false, 0n, 2)); // a market sell: fills 4, rest canceled
  place('2', order('SPY', UNIT, false, 100n * UNIT, 0)); // rests
  place('1', order('SPY', 2n * UNIT, true, 0n, 2)); // a market buy: fills 6, rest canceled
  place('1', order('SPY', UNIT, true, 99n * UNIT, 0)); // 8 rests
  place('1', order('SPY', UNIT, false, 99n * UNIT, 4)); // 9 meets 8, its own: both canceled
  place('1', order('SPY', 2n * UNIT, true, 98n * UNIT, 0)); // 10 rests
  const amend = { kind: 'amend', orderId: 10, amount: UNIT, limit: 97n * UNIT, echo: [] } as const;
  engine.apply({ kind: 'transactions', account: '1', children: [amend] }, 2);
  assert.equal(engine.engineKind, 'columns');
  assert.deepEqual(engine.order(10)!.status().amendments, [
    { open: UNIT, limit: 97n * UNIT, time: 2 },
  ]);
  for (const id of [2, 3, 5, 7, 8, 9]) {
    const status = engine.order(id)!.status();
    assert.equal(status.open, 0n, `order ${id} closed`);
    assert.ok(status.canceled !== null, `order ${id} canceled in part or whole`);
  }
  place('1', order('SPY', UNIT, true, 100n * UNIT, 3)); // 11, a stop: waits
  assert.equal(engine.engineKind, 'columns');
  assert.equal(engine.order(11)!.status().stop, 100n * UNIT);
  place('1', order('SPY', UNIT, true, 2n ** 53n, 0)); // a price past the columns' range
  assert.equal(engine.engineKind, 'classic');
  assert.equal(AdaptiveExchange.create({ bookEvents: true }).engineKind, 'columns');
});

test('a fill-or-kill fills when the crossing shares are just enough and is killed one share short, as on the classic engine', () => {
  const run = (engine: MatchingEngine): unknown => {
    engine.apply(SETUP, 1);
    const place = (account: string, child: PlaceOrder): unknown =>
      engine.apply({ kind: 'transactions', account, children: [child] }, 2);
    place('1', order('SPY', 2n * UNIT, true, 101n * UNIT, 0)); // 1
    place('1', order('SPY', 3n * UNIT, true, 100n * UNIT, 0)); // 2
    place('1', order('SPY', 4n * UNIT, true, 99n * UNIT, 0)); // 3: does not cross at 100
    place('2', order('SPY', 6n * UNIT, false, 100n * UNIT, 5)); // 4: 5 cross, killed
    place('2', order('SPY', 5n * UNIT, false, 100n * UNIT, 5)); // 5: fills 1 and 2
    return { changes: bigChangeSet(engine.takeChanges()), views: views(engine) };
  };
  const adaptive = AdaptiveExchange.create();
  assert.deepEqual(run(adaptive), run(new Exchange()));
  assert.equal(adaptive.engineKind, 'columns');
  assert.ok(adaptive.order(4)!.status().canceled !== null, 'order 4 killed');
  assert.equal(adaptive.order(5)!.status().fills.length, 2, 'order 5 filled');
});

test('an order amended in the batch that placed it, and in a later one, writes the rows the classic engine writes', () => {
  const run = (engine: MatchingEngine): unknown => {
    engine.apply(SETUP, 1);
    const tx = (child: TransactionChild): unknown =>
      engine.apply({ kind: 'transactions', account: '1', children: [child] }, 2);
    const amend = (amount: bigint | null, limit: bigint | null) =>
      ({ kind: 'amend', orderId: 1, amount, limit, echo: [] }) as const;
    tx(order('SPY', 3n * UNIT, true, 100n * UNIT, 0)); // 1
    tx(amend(2n * UNIT, 99n * UNIT));
    const placedAndAmended = bigChangeSet(engine.takeChanges());
    tx(amend(UNIT, null));
    const amendedAgain = bigChangeSet(engine.takeChanges());
    return { placedAndAmended, amendedAgain, views: views(engine) };
  };
  const adaptive = AdaptiveExchange.create();
  assert.deepEqual(run(adaptive), run(new Exchange()));
  assert.equal(adaptive.engineKind, 'columns');
});

test('a fill-or-kill with self-trade prevention counts the book best first, as on the classic engine', () => {
  const run = (engine: MatchingEngine): unknown => {
    engine.apply(SETUP, 1);
    const place = (account: string, child: PlaceOrder): unknown =>
      engine.apply({ kind: 'transactions', account, children: [child] }, 2);
    // Asks of 1 at 100 and 5 at 102, then account 1's own 1 at 101: the heap holds the
    // levels as 100, 102, 101, not best first.
    place('2', order('SPY', UNIT, false, 100n * UNIT, 0)); // 1
    place('2', order('SPY', 5n * UNIT, false, 102n * UNIT, 0)); // 2
    place('1', order('SPY', UNIT, false, 101n * UNIT, 0)); // 3
    // Cancel-incoming: 1 share, then its own order ends the count: killed.
    place('1', order('SPY', 2n * UNIT, true, 102n * UNIT, 7)); // 4
    // Cancel-resting: its own order skipped, 1 + 5 shares: it fills, and 3 is canceled.
    place('1', order('SPY', 6n * UNIT, true, 102n * UNIT, 8)); // 5
    return { changes: bigChangeSet(engine.takeChanges()), views: views(engine) };
  };
  const adaptive = AdaptiveExchange.create();
  assert.deepEqual(run(adaptive), run(new Exchange()));
  assert.equal(adaptive.engineKind, 'columns');
  assert.equal(adaptive.order(4)!.status().fills.length, 0, 'order 4 killed');
  assert.equal(adaptive.order(5)!.status().fills.length, 2, 'order 5 filled');
  assert.ok(adaptive.order(3)!.status().canceled !== null, 'order 3 canceled');
});

test('a market buy spends the cash it arrived with and stops where it runs out, as on the classic engine', () => {
  const run = (engine: MatchingEngine): unknown => {
    engine.apply(SETUP, 1);
    // 350.25 dollars: two shares at 100.1 (200.20), then the 150.05 left buys 1.48124383 of
    // the three at 101.3, with a fraction of a unit of cash left.
    const poor = { kind: 'account', id: 'poor', balance: 35_025n * (CASH_UNIT / 100n) } as const;
    engine.apply({ kind: 'create', children: [poor] }, 1);
    const place = (account: string, child: PlaceOrder): unknown =>
      engine.apply({ kind: 'transactions', account, children: [child] }, 2);
    place('2', order('SPY', 2n * UNIT, false, 1001n * (UNIT / 10n), 0)); // 1
    place('2', order('SPY', 3n * UNIT, false, 1013n * (UNIT / 10n), 0)); // 2
    place('poor', order('SPY', 9n * UNIT, true, 0n, 2)); // 3: 2 + 1 shares, then out of cash
    place('poor', order('SPY', 9n * UNIT, true, 0n, 2)); // 4: not a unit of a share affordable
    return { changes: bigChangeSet(engine.takeChanges()), views: views(engine) };
  };
  const adaptive = AdaptiveExchange.create();
  assert.deepEqual(run(adaptive), run(new Exchange()));
  assert.equal(adaptive.engineKind, 'columns');
  assert.equal(adaptive.order(3)!.status().fills.length, 2, 'order 3 filled twice');
  assert.equal(adaptive.order(4)!.status().fills.length, 0, 'order 4 filled nothing');
});

test("with market data on, the column engine makes the classic engine's book events, numbered in each book's sequence", () => {
  const run = (engine: MatchingEngine): BookEvent[] => {
    engine.apply(SETUP, 1);
    engine.takeChanges();
    engine.recordBookEvents();
    const tx = (account: string, child: TransactionChild): void => {
      engine.apply({ kind: 'transactions', account, children: [child] }, 2);
    };
    tx('2', order('SPY', 2n * UNIT, false, 100n * UNIT, 0)); // 1 rests
    tx('1', order('SPY', UNIT, true, 101n * UNIT, 0)); // 2 fills 1 of 1
    tx('2', { kind: 'amend', orderId: 1, amount: null, limit: 102n * UNIT, echo: [] });
    tx('2', { kind: 'cancel', orderId: 1, echo: [] }); // 1 share left of 2
    tx('3', order('X', UNIT, true, 50n * UNIT, 0)); // 3 rests, in another book
    tx('1', order('SPY', UNIT, true, 100n * UNIT, 0)); // 4 rests
    tx('2', order('SPY', UNIT, false, 100n * UNIT, 0)); // 5 fills 4
    tx('3', { kind: 'cancel', orderId: 3, echo: [] }); // in the other book
    tx('1', order('SPY', UNIT, true, 100n * UNIT, 0)); // 6 rests
    tx('2', order('SPY', UNIT, false, 99n * UNIT, 0)); // 7 fills 6: the last event, mid-batch
    return engine.takeEvents().map(bigBookEvent);
  };
  const adaptive = AdaptiveExchange.create();
  const events = run(adaptive);
  assert.equal(adaptive.engineKind, 'columns');
  assert.deepEqual(events, run(new Exchange()));
  const base = { sym: 'SPY', time: 2, side: 'sell' } as const;
  const p = (dollars: bigint): bigint => dollars * UNIT;
  const opened = (seq: number, orderId: number, price: bigint) =>
    ({ ...base, type: 'opened', seq, orderId, price, shares: UNIT }) as const;
  const matched = (seq: number, restingId: number, side: 'buy' | 'sell') =>
    ({
      ...base,
      type: 'matched',
      seq,
      restingId,
      incomingId: restingId + 1,
      side,
      price: p(100n),
      shares: UNIT,
    }) as const;
  assert.deepEqual(events, [
    { ...opened(1, 1, p(100n)), shares: 2n * UNIT },
    matched(2, 1, 'sell'),
    { ...base, type: 'amended', seq: 3, orderId: 1, price: p(102n), shares: UNIT, requeued: true },
    opened(4, 1, p(102n)),
    { ...opened(5, 1, p(102n)), type: 'canceled' },
    { ...opened(1, 3, p(50n)), sym: 'X', side: 'buy' },
    { ...opened(6, 4, p(100n)), side: 'buy' },
    matched(7, 4, 'buy'),
    { ...opened(2, 3, p(50n)), sym: 'X', side: 'buy', type: 'canceled' },
    { ...opened(8, 6, p(100n)), side: 'buy' },
    matched(9, 6, 'buy'),
  ]);
});

test('stop orders wait, trigger in turn and in chains, cancel and refuse amends as on the classic engine, across a restore and a hand-over', () => {
  const tables = new Tables();
  const run = (engine: MatchingEngine): unknown => {
    engine.apply(SETUP, 1);
    engine.recordBookEvents();
    const tx = (account: string, child: TransactionChild): unknown =>
      engine.apply({ kind: 'transactions', account, children: [child] }, 2);
    const stop = (account: string, shares: bigint, isBuy: boolean, stopAt: bigint) => {
      const child = { ...order('SPY', shares, isBuy, 110n * UNIT, 3), stop: stopAt * UNIT };
      return tx(account, isBuy ? child : { ...child, limit: 90n * UNIT, limitUnits: 90 * 1e8 });
    };
    tx('2', order('SPY', UNIT, false, 101n * UNIT, 0)); // 1: asks 1 at 101
    tx('2', order('SPY', 5n * UNIT, false, 102n * UNIT, 0)); // 2: asks 5 at 102
    stop('1', UNIT, true, 101n); // 3: a buy stop at 101
    stop('3', UNIT, true, 102n); // 4: a buy stop at 102, triggered by 3's trade
    stop('1', UNIT, true, 105n); // 5: waits on
    stop('2', UNIT, true, 101n); // 6: canceled while it waits
    const answers = [
      tx('1', { kind: 'amend', orderId: 5, amount: null, limit: 120n * UNIT, echo: [] }),
      tx('2', { kind: 'cancel', orderId: 6, echo: [] }),
      // 7 takes 1 at 101: 3 triggers and takes 1 at 102, which triggers 4.
      tx('3', order('SPY', UNIT, true, 101n * UNIT, 0)),
      tx('1', { kind: 'query', orderId: 5, echo: [] }),
      stop('2', UNIT, true, 102n), // 8: a buy stop at 102
      tx('1', order('SPY', UNIT, true, 99n * UNIT, 0)), // 9 rests
      // 9 amended to 102 takes 1 at 102 as a new arrival, which triggers 8.
      tx('1', { kind: 'amend', orderId: 9, amount: null, limit: 102n * UNIT, echo: [] }),
    ].map((results) => (results as Result[]).map(bigResult));
    const changes = bigChangeSet(engine.takeChanges());
    if (engine === classic) tables.write(changes);
    return {
      answers,
      changes,
      events: engine.takeEvents().map(bigBookEvent),
      views: views(engine),
    };
  };
  const classic = new Exchange();
  const adaptive = AdaptiveExchange.create();
  assert.deepEqual(run(adaptive), run(classic));
  assert.equal(adaptive.engineKind, 'columns');
  for (const id of [3, 4, 8, 9]) {
    assert.ok(adaptive.order(id)!.status().fills.length > 0, `${id} filled`);
  }
  assert.equal(adaptive.order(5)!.status().stop, 105n * UNIT, '5 waits');

  // Restored from what was written, with stop 5 still waiting; then a price past the columns'
  // range hands over, and both go on alike (stop 5 and account 1's other orders included).
  const snapshot = tables.snapshot(classic.peekNextOrderId);
  const restored = AdaptiveExchange.restore(snapshot);
  const restoredClassic = Exchange.restore(snapshot);
  assert.equal(restored.engineKind, 'columns');
  assert.deepEqual(views(restored), views(restoredClassic));
  const more = (engine: MatchingEngine): unknown => {
    const tx = (account: string, child: TransactionChild): Result[] =>
      engine.apply({ kind: 'transactions', account, children: [child] }, 3).map(bigResult);
    return [
      tx('1', order('SPY', UNIT, true, 99n * UNIT, 0)), // 10 rests, after stop 5
      tx('2', order('SPY', UNIT, false, 2n ** 53n, 0)), // past the range: the hand-over
      tx('2', order('SPY', 10n * UNIT, true, 106n * UNIT, 0)), // trades up to 106: 5 triggers
      bigChangeSet(engine.takeChanges()),
      views(engine),
    ];
  };
  assert.deepEqual(more(restored), more(restoredClassic));
  assert.equal(restored.engineKind, 'classic');
});

test('a market order that is not immediate-or-cancel, which the validator refuses, goes to the classic engine', () => {
  const engine = AdaptiveExchange.create();
  engine.apply(SETUP, 1);
  const fok = { ...order('SPY', UNIT, true, 0n, 2), tif: 'FOK' } as const;
  engine.apply({ kind: 'transactions', account: '1', children: [fok] }, 2);
  assert.equal(engine.engineKind, 'classic');
});

test('an id past 2^32 names no order, on either engine, rather than the one it would wrap onto', () => {
  for (const engine of [AdaptiveExchange.create(), new Exchange()]) {
    engine.apply(SETUP, 1);
    const buy = order('SPY', UNIT, true, 100n * UNIT, 0);
    engine.apply({ kind: 'transactions', account: '1', children: [buy] }, 2);
    const id = 2 ** 32 + 1; // 1 in the low 32 bits
    const children: TransactionChild[] = [
      { kind: 'query', orderId: id, echo: [] },
      { kind: 'cancel', orderId: id, echo: [] },
    ];
    const results = engine.apply({ kind: 'transactions', account: '1', children }, 3);
    for (const r of results) assert.equal(r.kind === 'error' && r.error.code, 'ORDER_NOT_FOUND');
    assert.equal(engine.order(1)?.open, UNIT, 'order 1 untouched');
  }
});

test('after a hand-over, closed orders leave memory in the order they closed, as on the classic engine', () => {
  const answers = (engine: MatchingEngine): string[] => {
    engine.apply(SETUP, 1);
    const tx = (account: string, child: TransactionChild): void => {
      engine.apply({ kind: 'transactions', account, children: [child] }, 2);
    };
    tx('1', order('SPY', UNIT, true, 100n * UNIT, 0)); // 1 rests
    tx('1', order('SPY', UNIT, true, 101n * UNIT, 0)); // 2 rests
    tx('2', order('SPY', UNIT, false, 101n * UNIT, 0)); // 3 fills 2: 2 and 3 close
    tx('1', { kind: 'cancel', orderId: 1, echo: [] }); // then 1 closes
    tx('2', order('SPY', UNIT, false, 2n ** 53n, 0)); // 4, past the columns' range: the hand-over
    tx('2', { kind: 'cancel', orderId: 4, echo: [] }); // then 4 closes
    const batch = engine.currentBatch;
    engine.takeChanges();
    engine.evictClosed(batch, 2);
    return [1, 2, 3, 4].map((orderId) => {
      const request: Request = {
        kind: 'transactions',
        account: '1',
        children: [{ kind: 'query', orderId, echo: [] }],
      };
      return engine.apply(request, 3)[0]!.kind;
    });
  };
  const adaptive = AdaptiveExchange.create();
  assert.deepEqual(answers(adaptive), answers(new Exchange()));
  assert.equal(adaptive.engineKind, 'classic');
});
