// Model-based property test of the extensions (docs/extensions.md): random command
// sequences mixing base and extension commands (GTC/IOC/FOK limits, market orders,
// stop-limits, self-trade prevention, amends; several accounts, self-trades; fees on in
// some runs and off in others) run against the engine and against a naive reference model
// (test/support/extensions-model.ts). After every step: every result agrees, the whole state
// agrees (cash, positions, each order's open, limit, queue place, waiting stop, history),
// the conservation invariants hold, and a replica built from the L3 events alone holds the
// engine's books. Then an engine restored from the committed changes must behave exactly
// like the original.
//
// On failure fast-check prints the seed and the shrunk counterexample; rerun one with
// EXT_SEED=<seed> (and EXT_RUNS=<n> for a longer hunt).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Exchange } from '../../src/engine/exchange.js';
import {
  validateAmend,
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../../src/engine/validate.js';
import type { FeeSchedule } from '../../src/engine/fees.js';
import type { BookEvent } from '../../src/engine/book-events.js';
import type { CreateChild, Request, Result, TransactionChild } from '../../src/engine/commands.js';
import { SHARE_SCALE, formatDecimal, parseDecimal } from '../../src/decimal/fixed.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { PriceLevels } from '../../src/engine/price-levels.js';
import {
  ExtModel,
  statusOf,
  type CreateItem,
  type Expected,
  type ModelFees,
  type RawAmend,
  type RawOrder,
  type TxItem,
} from '../support/extensions-model.js';
import { L3Replica, type SideView } from '../support/l3-replica.js';

// ---------------------------------------------------------------------------------------
// Generated commands.

/** `ref`: among ids 1 .. next id + 1; `own`: among the acting account's orders; `raw`: as is. */
type OrderRef = { t: 'ref'; r: number } | { t: 'own'; r: number } | { t: 'raw'; text: string };

/** An amend's amount: literal text, a fraction of the order's open shares, or none. */
type AmountSpec =
  | { t: 'none' }
  | { t: 'lit'; text: string }
  | { t: 'part'; quarters: number } // open × quarters / 4, 1..5 (4: the same, 5: more)
  | { t: 'unit' }; // one share unit less than open

type GenTx =
  | { t: 'order'; order: RawOrder }
  | { t: 'query' | 'cancel'; ref: OrderRef }
  | { t: 'amend'; ref: OrderRef; amount: AmountSpec; limit: string | undefined };

type GenCmd =
  | { t: 'create'; children: CreateItem[]; dt: number }
  | { t: 'tx'; account: string; children: GenTx[]; dt: number };

const SYMBOLS = ['SPY', 'X'];
const MISSING_SYMBOL = 'NOPE';
const ACCOUNTS = ['1', '2', '3'];
const MISSING_ACCOUNT = '999';

function genCommands(syms: string[], maxLength: number): fc.Arbitrary<GenCmd[]> {
  const symArb = fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom(...syms) },
    { weight: 1, arbitrary: fc.constant(MISSING_SYMBOL) },
  );
  // The missing account is also a possible fee account: it may appear mid-run.
  const accountArb = fc.oneof(
    { weight: 15, arbitrary: fc.constantFrom(...ACCOUNTS) },
    { weight: 1, arbitrary: fc.constant(MISSING_ACCOUNT) },
  );
  const sizeArb = fc.oneof(
    { weight: 24, arbitrary: fc.integer({ min: 1, max: 12 }).map(String) },
    { weight: 8, arbitrary: fc.constantFrom('0.1', '0.5', '1.5', '2.25', '3.3', '0.00000001') },
    { weight: 1, arbitrary: fc.constantFrom('0', '0.000000001', '1', '2') },
  );
  const priceArb = fc
    .tuple(fc.integer({ min: 98, max: 102 }), fc.constantFrom('', '', '', '.5', '.25', '.01'))
    .map(([i, f]) => `${i}${f}`);
  const limitArb = fc.oneof(
    { weight: 30, arbitrary: priceArb },
    { weight: 1, arbitrary: fc.constantFrom('0', '-5', 'abc') },
  );
  const maybe = <T>(arb: fc.Arbitrary<T>, weight = 1, none = 2): fc.Arbitrary<T | undefined> =>
    fc.oneof({ weight: none, arbitrary: fc.constant(undefined) }, { weight, arbitrary: arb });
  const stpArb = maybe(fc.constantFrom('cancel-resting', 'cancel-incoming', 'cancel-both'), 1, 3);

  const signed = (side: boolean, amount: string): string => (side ? amount : `-${amount}`);
  const orderArb: fc.Arbitrary<RawOrder> = fc.oneof(
    // A plain limit order (the base protocol), now and then with an stp.
    {
      weight: 10,
      arbitrary: fc
        .record({
          sym: symArb,
          side: fc.boolean(),
          amount: sizeArb,
          limit: limitArb,
          stp: stpArb,
        })
        .map(({ sym, side, amount, limit, stp }) => ({
          sym,
          amount: signed(side, amount),
          limit,
          stp,
        })),
    },
    // Time in force.
    {
      weight: 3,
      arbitrary: fc
        .record({
          sym: symArb,
          side: fc.boolean(),
          amount: sizeArb,
          limit: priceArb,
          tif: fc.constantFrom('IOC', 'FOK', 'FOK', 'GTC'),
          type: maybe(fc.constant('limit')),
          stp: stpArb,
        })
        .map(({ sym, side, amount, limit, tif, type, stp }) => ({
          sym,
          amount: signed(side, amount),
          limit,
          type,
          tif,
          stp,
        })),
    },
    // Market orders.
    {
      weight: 3,
      arbitrary: fc
        .record({
          sym: symArb,
          side: fc.boolean(),
          amount: fc.oneof(sizeArb, fc.constantFrom('50', '500')),
          tif: maybe(fc.constant('IOC')),
          stp: stpArb,
        })
        .map(({ sym, side, amount, tif, stp }) => ({
          sym,
          amount: signed(side, amount),
          type: 'market',
          tif,
          stp,
        })),
    },
    // Stop-limit orders.
    {
      weight: 2,
      arbitrary: fc
        .record({
          sym: symArb,
          side: fc.boolean(),
          amount: sizeArb,
          limit: priceArb,
          stop: priceArb,
          tif: maybe(fc.constantFrom('GTC', 'IOC', 'FOK')),
          stp: stpArb,
        })
        .map(({ sym, side, amount, limit, stop, tif, stp }) => ({
          sym,
          amount: signed(side, amount),
          limit,
          stop,
          tif,
          stp,
        })),
    },
    // Bad attributes and combinations.
    {
      weight: 1,
      arbitrary: fc
        .record({ sym: symArb, side: fc.boolean(), amount: sizeArb, limit: priceArb })
        .chain(({ sym, side, amount, limit }) =>
          fc.constantFrom<RawOrder>(
            { sym, amount: signed(side, amount), limit, type: 'market' },
            { sym, amount: signed(side, amount), type: 'market', tif: 'FOK' },
            { sym, amount: signed(side, amount), type: 'market', tif: 'GTC' },
            { sym, amount: signed(side, amount), type: 'market', stop: limit },
            { sym, amount: signed(side, amount), type: 'Market' },
            { sym, amount: signed(side, amount), limit, tif: 'ioc' },
            { sym, amount: signed(side, amount), limit, tif: ' IOC' },
            { sym, amount: signed(side, amount), limit, stp: 'cancel' },
            { sym, amount: signed(side, amount), limit, stop: '0' },
            { sym, amount: signed(side, amount), limit, stop: '-1' },
            { sym, amount: signed(side, amount), limit, stop: 'x' },
            { sym, amount: signed(side, amount) },
            { sym, amount: signed(side, amount), type: 'limit' },
          ),
        ),
    },
  );
  const refArb: fc.Arbitrary<OrderRef> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.integer({ min: 0, max: 999 }).map((r) => ({ t: 'ref' as const, r })),
    },
    {
      weight: 12,
      arbitrary: fc.integer({ min: 0, max: 999 }).map((r) => ({ t: 'own' as const, r })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('0', 'x', '99999').map((text) => ({ t: 'raw' as const, text })),
    },
  );
  const amountSpecArb: fc.Arbitrary<AmountSpec> = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ t: 'none' as const }) },
    {
      weight: 6,
      arbitrary: fc
        .integer({ min: 1, max: 5 })
        .map((quarters) => ({ t: 'part' as const, quarters })),
    },
    { weight: 1, arbitrary: fc.constant({ t: 'unit' as const }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('1', '0.5', '0', '-1', '0.000000001', 'x')
        .map((text) => ({ t: 'lit' as const, text })),
    },
  );
  const txChildArb: fc.Arbitrary<GenTx> = fc.oneof(
    { weight: 10, arbitrary: orderArb.map((order) => ({ t: 'order' as const, order })) },
    { weight: 1, arbitrary: refArb.map((ref) => ({ t: 'query' as const, ref })) },
    { weight: 2, arbitrary: refArb.map((ref) => ({ t: 'cancel' as const, ref })) },
    {
      weight: 4,
      arbitrary: fc
        .record({ ref: refArb, amount: amountSpecArb, limit: maybe(limitArb, 2) })
        .map(({ ref, amount, limit }) => ({ t: 'amend' as const, ref, amount, limit })),
    },
  );
  const createChildArb: fc.Arbitrary<CreateItem> = fc.oneof(
    fc.record({
      t: fc.constant('account' as const),
      id: accountArb,
      balance: fc.constantFrom('0', '150.5', '1000', '20000'),
    }),
    fc.record({
      t: fc.constant('symbol' as const),
      sym: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...syms) },
        { weight: 1, arbitrary: fc.constant(MISSING_SYMBOL) },
      ),
      grants: fc.array(
        fc.record({ id: accountArb, shares: fc.constantFrom('0', '5', '40', '0.5') }),
        { minLength: 1, maxLength: 2 },
      ),
    }),
  );
  const dtArb = fc.integer({ min: 0, max: 2 });
  const cmdArb: fc.Arbitrary<GenCmd> = fc.oneof(
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('create' as const),
        children: fc.array(createChildArb, { minLength: 0, maxLength: 3 }),
        dt: dtArb,
      }),
    },
    {
      weight: 12,
      arbitrary: fc.record({
        t: fc.constant('tx' as const),
        account: accountArb,
        children: fc.array(txChildArb, { minLength: 1, maxLength: 4 }),
        dt: dtArb,
      }),
    },
  );
  const setupArb = fc
    .tuple(
      fc.array(fc.constantFrom('0', '197', '1500', '20000', '100000', '100000'), {
        minLength: ACCOUNTS.length,
        maxLength: ACCOUNTS.length,
      }),
      fc.array(fc.constantFrom('0', '3', '12.5', '60', '200', '200', '200'), {
        minLength: ACCOUNTS.length * syms.length,
        maxLength: ACCOUNTS.length * syms.length,
      }),
    )
    .map(([balances, shares]): GenCmd => ({
      t: 'create',
      dt: 0,
      children: [
        ...ACCOUNTS.map((id, i) => ({ t: 'account' as const, id, balance: balances[i] ?? '0' })),
        ...syms.map((sym, s) => ({
          t: 'symbol' as const,
          sym,
          grants: ACCOUNTS.map((id, i) => ({
            id,
            shares: shares[s * ACCOUNTS.length + i] ?? '0',
          })),
        })),
      ],
    }));
  return fc
    .tuple(setupArb, fc.array(cmdArb, { minLength: 0, maxLength: maxLength - 1, size: 'max' }))
    .map(([setup, rest]) => [setup, ...rest]);
}

const RATE = (text: string): bigint => {
  const p = parseDecimal(text, 8);
  if (!p.ok) throw new Error(text);
  return p.value;
};

const feesArb: fc.Arbitrary<ModelFees> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ maker: 0n, taker: 0n, account: '' }) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        maker: fc.constantFrom('0', '0.0005', '0.001', '0.00333333'),
        taker: fc.constantFrom('0.001', '0.002', '0.00333333', '0.01'),
        account: fc.constantFrom('3', MISSING_ACCOUNT, '77'),
      })
      .map(({ maker, taker, account }) => {
        const m = RATE(maker);
        const t = RATE(taker);
        return { maker: m < t ? m : t, taker: t, account };
      }),
  },
);

// ---------------------------------------------------------------------------------------
// Turning generated commands into text and engine requests.

function resolveRef(ref: OrderRef, nextId: number, ownIds: number[]): string {
  if (ref.t === 'own' && ownIds.length > 0) {
    return String(ownIds[Math.floor((ref.r * ownIds.length) / 1000)]!);
  }
  if (ref.t === 'raw') return ref.text;
  return String(1 + Math.floor((ref.r * (nextId + 1)) / 1000));
}

function resolveAmount(spec: AmountSpec, open: bigint): string | undefined {
  switch (spec.t) {
    case 'none':
      return undefined;
    case 'lit':
      return spec.text;
    case 'unit':
      return formatDecimal(open - 1n, SHARE_SCALE);
    case 'part': {
      const n = (open * BigInt(spec.quarters)) / 4n;
      return formatDecimal(n === 0n ? BigInt(spec.quarters) : n, SHARE_SCALE);
    }
  }
}

function createRequest(children: CreateItem[]): Request {
  const out: CreateChild[] = [];
  for (const c of children) {
    if (c.t === 'account') out.push(validateCreateAccount(c.id, c.balance));
    else {
      out.push({ kind: 'symbol', sym: c.sym });
      for (const g of c.grants) out.push(validateGrant(c.sym, g.id, g.shares));
    }
  }
  return { kind: 'create', children: out };
}

function txRequest(account: string, children: TxItem[]): Request {
  const out: TransactionChild[] = children.map((c) => {
    if (c.t === 'order') {
      const o = c.order;
      return validateOrder(o.sym, o.amount, o.limit, {
        type: o.type,
        tif: o.tif,
        stop: o.stop,
        stp: o.stp,
      });
    }
    if (c.t === 'amend') return validateAmend(c.amend.id, c.amend.amount, c.amend.limit);
    return validateOrderRef(c.t, c.id);
  });
  return { kind: 'transactions', account, children: out };
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

function checkResult(
  actual: Result | undefined,
  expected: Expected,
  child: TransactionChild | CreateChild | undefined,
  where: string,
): void {
  assert.ok(actual !== undefined, `${where}: missing result`);
  const ctx = `${where}: engine ${show(actual)} vs model ${show(expected)}`;
  assert.equal(actual.kind, expected.kind, ctx);
  switch (expected.kind) {
    case 'error':
      if (actual.kind === 'error' && expected.codes !== undefined) {
        assert.ok(expected.codes.includes(actual.error.code), ctx);
      }
      return;
    case 'created':
    case 'granted':
    case 'opened':
      assert.deepEqual(actual, expected, ctx);
      return;
    case 'status':
    case 'canceled':
      assert.ok(actual.kind === 'status' || actual.kind === 'canceled');
      assert.deepEqual(actual.status, expected.status, ctx);
      if (child !== undefined && 'echo' in child) assert.deepEqual(actual.echo, child.echo, ctx);
      return;
    case 'amended':
      assert.ok(actual.kind === 'amended');
      assert.equal(actual.open, expected.open, ctx);
      assert.equal(actual.limit, expected.limit, ctx);
      if (child !== undefined && 'echo' in child) assert.deepEqual(actual.echo, child.echo, ctx);
      return;
  }
}

// ---------------------------------------------------------------------------------------
// State, invariants, book replica.

function engineLevels(side: PriceLevels): SideView {
  return side.levels().map((level) => {
    const orders: [number, bigint][] = [];
    for (let o = level.head; o !== null; o = o.next) orders.push([o.id, o.open]);
    return { price: level.price, orders };
  });
}

function checkState(ex: Exchange, model: ExtModel, fees: ModelFees, where: string): void {
  const problem = model.selfCheck();
  assert.equal(problem, null, `${where}: the model itself: ${problem}`);

  // Accounts and positions agree with the model.
  assert.deepEqual(
    [...ex.accounts.keys()].sort(),
    [...model.cash.keys()].sort(),
    `${where}: accounts`,
  );
  let cash = 0n;
  let deposited = 0n;
  const held = new Map<string, bigint>();
  for (const a of ex.accounts.values()) {
    assert.ok(a.cash >= 0n, `${where}: account ${a.id} cash ${a.cash} < 0`);
    assert.equal(a.cash, model.cash.get(a.id), `${where}: cash of ${a.id}`);
    assert.equal(a.deposited, model.deposited.get(a.id), `${where}: deposited of ${a.id}`);
    cash += a.cash;
    deposited += a.deposited;
    for (const sym of new Set([
      ...a.positions.keys(),
      ...(model.positions.get(a.id)?.keys() ?? []),
    ])) {
      const shares = a.positions.get(sym)?.shares ?? 0n;
      assert.ok(shares >= 0n, `${where}: ${a.id} holds ${shares} ${sym}`);
      assert.equal(shares, model.shares(a.id, sym), `${where}: ${sym} of ${a.id}`);
      held.set(sym, (held.get(sym) ?? 0n) + shares);
    }
  }

  // Every order agrees with the model: history, limit, waiting, in the book or not.
  assert.equal(ex.orders.size, model.orders.length, `${where}: order count`);
  let reservedCash = 0n;
  const reservedShares = new Map<string, bigint>();
  for (const m of model.orders) {
    const o = ex.orders.get(m.id);
    assert.ok(o !== undefined, `${where}: order ${m.id} missing`);
    const ctx = `${where}: order ${m.id}`;
    assert.deepEqual(o.status(), statusOf(m), `${ctx} status`);
    assert.equal(o.limit, m.limit ?? 0n, `${ctx} limit`);
    assert.equal(o.waiting, m.waiting, `${ctx} waiting`);
    assert.equal(o.level !== null, m.resting, `${ctx} resting`);
    // open + executed + canceled + amended-away = size, from the engine's own records.
    const executed = o.fills.reduce((s, f) => s + f.shares, 0n);
    assert.equal(
      o.open + executed + (o.canceled?.shares ?? 0n) + m.amendedAway,
      o.shares,
      `${ctx} size`,
    );
    if (o.open === 0n) continue;
    assert.ok(o.waiting || o.level !== null, `${ctx}: open but neither resting nor waiting`);
    if (o.isBuy) reservedCash += model.reserve(o.open, o.limit);
    else reservedShares.set(o.sym, (reservedShares.get(o.sym) ?? 0n) + o.open);
  }
  assert.equal(cash + reservedCash, deposited, `${where}: cash + reserved = deposited`);

  // Books: levels, queue order and open shares as the model has them; shares conserved.
  assert.deepEqual([...ex.books.keys()].sort(), [...model.symbols].sort(), `${where}: symbols`);
  for (const [sym, b] of ex.books) {
    assert.equal(
      (held.get(sym) ?? 0n) + (reservedShares.get(sym) ?? 0n),
      b.granted,
      `${where}: ${sym} held + reserved = granted`,
    );
    assert.equal(b.granted, model.granted.get(sym) ?? 0n, `${where}: ${sym} granted`);
    for (const isBuy of [true, false]) {
      const side = isBuy ? b.bids : b.asks;
      const expected = model.levels(sym, isBuy).map((l) => ({
        price: l.price,
        orders: l.ids.map((id): [number, bigint] => [id, model.order(id)!.open]),
      }));
      assert.deepEqual(engineLevels(side), expected, `${where}: ${sym} ${isBuy ? 'bids' : 'asks'}`);
      for (const level of side.levels()) {
        let open = 0n;
        for (let o = level.head; o !== null; o = o.next) open += o.open;
        assert.equal(level.openShares, open, `${where}: ${sym} level ${level.price} openShares`);
      }
    }
    const waiting = (isBuy: boolean): number[] =>
      b.stops
        .all()
        .filter((o) => o.isBuy === isBuy)
        .map((o) => o.id)
        .sort((x, y) => x - y);
    const modelWaiting = (isBuy: boolean): number[] =>
      model.orders.filter((o) => o.waiting && o.sym === sym && o.isBuy === isBuy).map((o) => o.id);
    assert.deepEqual(waiting(true), modelWaiting(true), `${where}: ${sym} buy stops`);
    assert.deepEqual(waiting(false), modelWaiting(false), `${where}: ${sym} sell stops`);
  }
}

/** Applies the engine's new L3 events to the replica; the replica must hold the engine's books. */
function checkEvents(
  events: readonly BookEvent[],
  replica: L3Replica,
  ex: Exchange,
  model: ExtModel,
  where: string,
): void {
  for (const e of events) {
    const problem = replica.apply(e);
    assert.equal(problem, null, `${where}: L3 ${show(e)}: ${problem}`);
    if (e.type === 'opened') {
      // Orders that never rest (IOC, FOK, market) are never opened in the book.
      const m = model.order(e.orderId);
      assert.ok(m !== undefined && !m.market && m.tif === 'GTC', `${where}: opened ${show(e)}`);
    }
    if (e.type === 'triggered') {
      assert.ok(model.order(e.orderId)?.stop === e.stop, `${where}: triggered ${show(e)}`);
    }
  }
  for (const [sym, b] of ex.books) {
    assert.deepEqual(replica.side(sym, true), engineLevels(b.bids), `${where}: L3 ${sym} bids`);
    assert.deepEqual(replica.side(sym, false), engineLevels(b.asks), `${where}: L3 ${sym} asks`);
    assert.equal(replica.seq(sym), b.seq, `${where}: L3 ${sym} seq`);
  }
}

// ---------------------------------------------------------------------------------------
// Running a sequence.

const T0 = 1_700_000_000;

/**
 * Where the engine disagrees with docs/extensions.md, found by this test: the model calls
 * onKnownDivergence there and the run is skipped, so that the rest stays checked. None now;
 * the ones found so far are regression tests at the end of this file.
 */
const KNOWN_ENGINE_BUGS = new Set<string>();

interface Run {
  now: number;
}

function toFeeSchedule(fees: ModelFees): FeeSchedule {
  return { maker: fees.maker, taker: fees.taker, account: fees.account };
}

/**
 * Applies one command to every engine and to the model: the first engine's results must
 * match the model's, and every other engine must answer exactly as the first, with the same
 * book events. Returns the first engine's events.
 */
function step(
  engines: Exchange[],
  model: ExtModel,
  cmd: GenCmd,
  run: Run,
  where: string,
): BookEvent[] {
  run.now += cmd.dt;
  let request: Request;
  let expected: Expected[];
  if (cmd.t === 'create') {
    request = createRequest(cmd.children);
    expected = model.create(cmd.children);
  } else {
    const items: TxItem[] = [];
    let nextId = model.nextId;
    const ownIds = model.orders.filter((o) => o.account === cmd.account).map((o) => o.id);
    for (const c of cmd.children) {
      if (c.t === 'order') {
        items.push(c);
        nextId++;
      } else if (c.t === 'amend') {
        const id = resolveRef(c.ref, nextId, ownIds);
        const open = model.order(Number(id))?.open ?? 4n * 10n ** 8n;
        const amend: RawAmend = { id, amount: resolveAmount(c.amount, open), limit: c.limit };
        items.push({ t: 'amend', amend });
      } else items.push({ t: c.t, id: resolveRef(c.ref, nextId, ownIds) });
    }
    request = txRequest(cmd.account, items);
    expected = model.transactions(cmd.account, items, run.now);
  }
  const first = engines[0]!.apply(request, run.now);
  const events = engines[0]!.takeEvents();
  assert.equal(first.length, expected.length, `${where}: number of results`);
  const children: (TransactionChild | CreateChild)[] =
    request.kind === 'create'
      ? request.children.filter((c) => c.kind !== 'symbol')
      : [...request.children];
  expected.forEach((e, i) => checkResult(first[i], e, children[i], `${where} child ${i}`));
  for (const other of engines.slice(1)) {
    const results = other.apply(request, run.now);
    assert.deepEqual(results, first, `${where}: restored engine answers differently`);
    assert.deepEqual(other.takeEvents(), events, `${where}: restored engine's events differ`);
  }
  return events;
}

/** Totals of the models' counters over a test's runs, printed with EXT_STATS=1. */
const stats = new Map<string, number>();

async function runSequence(fees: ModelFees, cmds: GenCmd[], tail: GenCmd[]): Promise<void> {
  const options = { fees: toFeeSchedule(fees), bookEvents: true };
  const ex = new Exchange(options);
  const model = new ExtModel(fees);
  model.onKnownDivergence = (what) => {
    // Abandon the run (fast-check counts it as skipped) where the engine is known to be wrong.
    if (KNOWN_ENGINE_BUGS.has(what)) fc.pre(false);
  };
  const replica = new L3Replica();
  const store = new MemoryStore();
  const run: Run = { now: T0 };
  try {
    await steps();
  } finally {
    for (const [k, v] of model.stats) stats.set(k, (stats.get(k) ?? 0) + v);
  }
  async function steps(): Promise<void> {
    for (let i = 0; i < cmds.length; i++) {
      const events = step([ex], model, cmds[i]!, run, `step ${i}`);
      checkState(ex, model, fees, `after step ${i}`);
      checkEvents(events, replica, ex, model, `after step ${i}`);
      await store.commit(ex.takeChanges());
    }

    // Restore from the committed changes; the restored engine must be indistinguishable,
    // waiting stops, amended orders and queue places included.
    const restored = Exchange.restore(await store.load(), options);
    assert.equal(restored.peekNextOrderId, ex.peekNextOrderId, 'restored next order id');
    checkState(restored, model, fees, 'restored');
    assert.deepEqual(restored.takeEvents(), [], 'a restore makes no book events');
    for (const [sym, b] of ex.books) {
      assert.equal(restored.books.get(sym)?.seq, b.seq, `restored ${sym} seq`);
    }
    for (let i = 0; i < tail.length; i++) {
      const events = step([ex, restored], model, tail[i]!, run, `tail ${i}`);
      checkState(ex, model, fees, `tail ${i} original`);
      checkState(restored, model, fees, `tail ${i} restored`);
      checkEvents(events, replica, restored, model, `tail ${i}`);
      await store.commit(ex.takeChanges());
      restored.takeChanges();
    }
  }
  stats.set(
    fees.taker > 0n ? 'runs with fees' : 'runs without fees',
    (stats.get(fees.taker > 0n ? 'runs with fees' : 'runs without fees') ?? 0) + 1,
  );
}

// ---------------------------------------------------------------------------------------

const seed = process.env['EXT_SEED'] === undefined ? undefined : Number(process.env['EXT_SEED']);
const runs = (n: number): number =>
  process.env['EXT_RUNS'] === undefined ? n : Number(process.env['EXT_RUNS']);

function scenario(nSymbols: number, length: number, tailLength: number) {
  const syms = SYMBOLS.slice(0, nSymbols);
  return fc.record({
    fees: feesArb,
    cmds: genCommands(syms, length),
    tail: genCommands(syms, tailLength).map((c) => c.slice(1)),
  });
}

async function check(arb: ReturnType<typeof scenario>, numRuns: number): Promise<void> {
  const out = await fc.check(
    fc.asyncProperty(arb, async ({ fees, cmds, tail }) => {
      await runSequence(fees, cmds, tail);
    }),
    { numRuns: runs(numRuns), ...(seed === undefined ? {} : { seed }) },
  );
  if (process.env['EXT_STATS'] !== undefined) {
    console.log(`runs ${out.numRuns}, skipped (known engine bugs) ${out.numSkips}`);
    for (const [k, v] of [...stats].sort()) console.log(`  ${k}: ${v}`);
    stats.clear();
  }
  if (out.failed) {
    // The seed first (rerun with EXT_SEED), then the shrunk counterexample and its error.
    const error =
      out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    assert.fail(
      `seed ${out.seed} (EXT_SEED=${out.seed}), path ${out.counterexamplePath}\n` +
        `counterexample: ${show(out.counterexample)}\n${error}`,
    );
  }
}

test('the extended engine agrees with a naive model of docs/extensions.md, keeps its invariants, feeds an exact L3 replica and restores exactly', async () => {
  await check(scenario(2, 40, 10), 300);
});

test('long runs on one symbol: deep books, stop cascades, amends and self-trades', async () => {
  await check(scenario(1, 80, 15), 120);
});

// ---------------------------------------------------------------------------------------
// The engine's divergences from the contract this test found, as minimal regression tests.

const P = (text: string): bigint => {
  const p = parseDecimal(text, 8);
  if (!p.ok) throw new Error(text);
  return p.value;
};
const CASH = (text: string): bigint => P(text) * 10n ** 8n;

function setup(accounts: [string, string, string][]): Exchange {
  const ex = new Exchange();
  ex.apply(
    createRequest([
      ...accounts.map(([id, balance]) => ({ t: 'account' as const, id, balance })),
      { t: 'symbol', sym: 'SPY', grants: accounts.map(([id, , shares]) => ({ id, shares })) },
    ]),
    T0,
  );
  return ex;
}

const order = (amount: string, extras: Omit<RawOrder, 'sym' | 'amount'>): TxItem => ({
  t: 'order',
  order: { sym: 'SPY', amount, ...extras },
});

test('stp cancel-incoming: an incoming GTC order that meets its own resting order is canceled and refunded', () => {
  const ex = setup([['1', '197', '10']]);
  const results = ex.apply(
    txRequest('1', [
      order('-1', { limit: '97' }),
      order('1', { limit: '97', stp: 'cancel-incoming' }),
    ]),
    T0,
  );
  assert.deepEqual(
    results.map((r) => r.kind),
    ['opened', 'opened'],
  );
  assert.deepEqual(ex.orders.get(2)?.status(), {
    open: 0n,
    canceled: { shares: P('1'), time: T0 },
    fills: [],
  });
  assert.equal(ex.accounts.get('1')?.cash, CASH('197'));
  assert.equal(ex.books.get('SPY')?.bids.best(), undefined, 'nothing rests on the bid');
});

test('a market buy capped by its cash stops there: its own next order in the queue stays', () => {
  const ex = setup([
    ['2', '0', '10'],
    ['3', '50', '1'],
  ]);
  ex.apply(txRequest('2', [order('-1', { limit: '100' })]), T0); // 1
  ex.apply(txRequest('3', [order('-1', { limit: '100' })]), T0); // 2, behind 1
  ex.apply(txRequest('3', [order('5', { type: 'market', stp: 'cancel-resting' })]), T0); // 3
  assert.deepEqual(ex.orders.get(3)?.status(), {
    open: 0n,
    canceled: { shares: P('4.5'), time: T0 },
    fills: [{ shares: P('0.5'), price: P('100'), time: T0 }],
  });
  assert.equal(ex.orders.get(2)?.open, P('1'), 'order 2 is untouched');
  assert.equal(ex.orders.get(2)?.canceled, null);
});

test('a market buy spends only the cash it arrived with, whatever its own sales bring in', () => {
  const ex = setup([['3', '50', '2']]);
  ex.apply(txRequest('3', [order('-1', { limit: '100' }), order('-1', { limit: '100' })]), T0);
  ex.apply(txRequest('3', [order('1', { type: 'market' })]), T0); // 3
  // 50 of cash affords 0.5 at 100; the sale to itself brings the 50 back, but the buy stops.
  assert.deepEqual(ex.orders.get(3)?.status(), {
    open: 0n,
    canceled: { shares: P('0.5'), time: T0 },
    fills: [{ shares: P('0.5'), price: P('100'), time: T0 }],
  });
  assert.equal(ex.orders.get(1)?.open, P('0.5'), 'order 1, first in the queue, filled half');
  assert.equal(ex.orders.get(2)?.open, P('1'), 'order 2 untouched');
});
