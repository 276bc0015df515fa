// Model-based property test: random command sequences run against the engine and against a
// deliberately naive reference model of PROTOCOL.md (plain arrays, linear scans, sorting by
// price then id). Every result must agree, invariants must hold after every step, and an
// engine restored from its committed changes must behave exactly like the original.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Exchange } from '../../src/engine/exchange.js';
import {
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../../src/engine/validate.js';
import type { CreateChild, Request, Result, TransactionChild } from '../../src/engine/commands.js';
import type { ErrorCode } from '../../src/engine/errors.js';
import {
  CASH_SCALE,
  PRICE_SCALE,
  SHARE_SCALE,
  parseDecimal,
  pow10,
} from '../../src/decimal/fixed.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { dumpState, levelOrders } from '../support/engine-state.js';

// ---------------------------------------------------------------------------------------
// Generated commands: plain text, as a client would send them.

type GenCreateChild =
  | { t: 'account'; id: string; balance: string }
  | { t: 'symbol'; sym: string; grants: { id: string; shares: string }[] };

/**
 * Resolved when the command runs: `ref` picks among ids 1 .. next id + 1 (existing or
 * missing), `own` among the acting account's own orders, `raw` is sent as is.
 */
type OrderRef = { t: 'ref'; r: number } | { t: 'own'; r: number } | { t: 'raw'; text: string };

type GenTxChild =
  | { t: 'order'; sym: string; amount: string; limit: string }
  | { t: 'query' | 'cancel'; ref: OrderRef };

type GenCmd =
  | { t: 'create'; children: GenCreateChild[]; dt: number }
  | { t: 'tx'; account: string; children: GenTxChild[]; dt: number };

const SYMBOLS = ['SPY', 'X', 'T5a'];
const MISSING_SYMBOL = 'NOPE';
const ACCOUNTS = ['1', '2', '3', '4', '5'];
const MISSING_ACCOUNT = '999';

function genCommands(nSymbols: number, maxLength: number): fc.Arbitrary<GenCmd[]> {
  const syms = SYMBOLS.slice(0, nSymbols);
  const symArb = fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...syms) },
    { weight: 1, arbitrary: fc.constant(MISSING_SYMBOL) },
  );
  const accountArb = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...ACCOUNTS) },
    { weight: 1, arbitrary: fc.constant(MISSING_ACCOUNT) },
  );
  const balanceArb = fc.constantFrom(
    '0',
    '50',
    '100',
    '500',
    '1000.5',
    '2500.25',
    '10000',
    '100000',
  );
  const setupBalanceArb = fc.constantFrom('0', '100', '197', '1000.5', '5000', '100000', '100000');
  const setupSharesArb = fc.oneof(
    fc.integer({ min: 0, max: 200 }).map(String),
    fc.constantFrom('0.3', '12.5', '0.00000001'),
  );
  const sharesArb = fc.oneof(
    fc.integer({ min: 0, max: 40 }).map(String),
    fc.constantFrom('0.1', '0.2', '2.5', '7.25', '0.00000001', '-1'),
  );
  // Amounts: small integers and fractions; occasionally zero or too many decimals.
  const amountArb = fc.oneof(
    { weight: 10, arbitrary: fc.integer({ min: 1, max: 12 }).map(String) },
    { weight: 4, arbitrary: fc.constantFrom('0.1', '0.2', '0.3', '0.5', '1.5', '2.25', '3.3') },
    { weight: 1, arbitrary: fc.constantFrom('0', '0.000000001') },
  );
  // Limits around a mid price of 100, so that about half of the orders cross.
  const limitArb = fc.oneof(
    {
      weight: 20,
      arbitrary: fc
        .tuple(fc.integer({ min: 96, max: 104 }), fc.constantFrom('', '', '.5', '.25', '.1'))
        .map(([i, f]) => `${i}${f}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('0', '-5', 'abc') },
  );
  const refArb: fc.Arbitrary<OrderRef> = fc.oneof(
    {
      weight: 12,
      arbitrary: fc.integer({ min: 0, max: 999 }).map((r) => ({ t: 'ref' as const, r })),
    },
    {
      weight: 8,
      arbitrary: fc.integer({ min: 0, max: 999 }).map((r) => ({ t: 'own' as const, r })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('0', 'x', '99999').map((text) => ({ t: 'raw' as const, text })),
    },
  );
  const createChildArb: fc.Arbitrary<GenCreateChild> = fc.oneof(
    fc.record({ t: fc.constant('account' as const), id: accountArb, balance: balanceArb }),
    fc.record({
      t: fc.constant('symbol' as const),
      // Now and then the missing symbol gets created mid-run (maybe with no grant succeeding).
      sym: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...syms) },
        { weight: 1, arbitrary: fc.constant(MISSING_SYMBOL) },
      ),
      grants: fc.array(fc.record({ id: accountArb, shares: sharesArb }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
  );
  const txChildArb: fc.Arbitrary<GenTxChild> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .record({ sym: symArb, side: fc.boolean(), amount: amountArb, limit: limitArb })
        .map(({ sym, side, amount, limit }) => ({
          t: 'order' as const,
          sym,
          amount: side ? amount : `-${amount}`,
          limit,
        })),
    },
    { weight: 1, arbitrary: refArb.map((ref) => ({ t: 'query' as const, ref })) },
    { weight: 2, arbitrary: refArb.map((ref) => ({ t: 'cancel' as const, ref })) },
  );
  const dtArb = fc.integer({ min: 0, max: 3 });
  const cmdArb: fc.Arbitrary<GenCmd> = fc.oneof(
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('create' as const),
        children: fc.array(createChildArb, { minLength: 0, maxLength: 4 }),
        dt: dtArb,
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        t: fc.constant('tx' as const),
        account: accountArb,
        children: fc.array(txChildArb, { minLength: 1, maxLength: 4 }),
        dt: dtArb,
      }),
    },
  );
  // Start with a create of every account and symbol so that most commands do something.
  const setupArb = fc
    .tuple(
      fc.array(setupBalanceArb, { minLength: ACCOUNTS.length, maxLength: ACCOUNTS.length }),
      fc.array(setupSharesArb, {
        minLength: ACCOUNTS.length * nSymbols,
        maxLength: ACCOUNTS.length * nSymbols,
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
          grants: ACCOUNTS.map((id, i) => ({ id, shares: shares[s * ACCOUNTS.length + i] ?? '0' })),
        })),
      ],
    }));
  return fc
    .tuple(setupArb, fc.array(cmdArb, { minLength: 0, maxLength: maxLength - 1, size: 'max' }))
    .map(([setup, rest]) => [setup, ...rest]);
}

// ---------------------------------------------------------------------------------------
// The naive reference model.

interface MFill {
  shares: bigint;
  price: bigint;
  time: number;
}

interface MOrder {
  id: number;
  account: string;
  sym: string;
  isBuy: boolean;
  size: bigint;
  limit: bigint;
  open: bigint;
  fills: MFill[];
  canceled: { shares: bigint; time: number } | null;
}

interface MStatus {
  open: bigint;
  canceled: { shares: bigint; time: number } | null;
  fills: MFill[];
}

/** What the model expects; `codes` lists acceptable error codes (any error when absent). */
type Expected =
  | { kind: 'created'; id: string }
  | { kind: 'granted'; sym: string; id: string }
  | { kind: 'opened'; echo: [string, string][]; orderId: number }
  | { kind: 'status'; echo: [string, string][]; status: MStatus }
  | { kind: 'canceled'; echo: [string, string][]; status: MStatus }
  | { kind: 'error'; codes?: ErrorCode[] };

function num(text: string, scale: number): bigint | null {
  const parsed = parseDecimal(text, scale);
  return parsed.ok ? parsed.value : null;
}

class Model {
  cash = new Map<string, bigint>();
  /** account → sym → shares */
  positions = new Map<string, Map<string, bigint>>();
  symbols: string[] = [];
  orders: MOrder[] = [];
  deposited = 0n;
  granted = new Map<string, bigint>();

  get nextId(): number {
    return this.orders.length + 1;
  }

  shares(account: string, sym: string): bigint {
    return this.positions.get(account)?.get(sym) ?? 0n;
  }

  addShares(account: string, sym: string, n: bigint): void {
    let m = this.positions.get(account);
    if (m === undefined) {
      m = new Map();
      this.positions.set(account, m);
    }
    m.set(sym, (m.get(sym) ?? 0n) + n);
  }

  create(children: GenCreateChild[]): Expected[] {
    const out: Expected[] = [];
    for (const c of children) {
      if (c.t === 'account') {
        const balance = num(c.balance, PRICE_SCALE);
        if (balance === null || balance < 0n) out.push({ kind: 'error' });
        else if (this.cash.has(c.id)) out.push({ kind: 'error', codes: ['ACCOUNT_EXISTS'] });
        else {
          const cash = balance * pow10(CASH_SCALE - PRICE_SCALE);
          this.cash.set(c.id, cash);
          this.deposited += cash;
          out.push({ kind: 'created', id: c.id });
        }
      } else {
        if (!this.symbols.includes(c.sym)) this.symbols.push(c.sym);
        for (const g of c.grants) {
          const n = num(g.shares, SHARE_SCALE);
          if (n === null || n < 0n) out.push({ kind: 'error' });
          else if (!this.cash.has(g.id)) out.push({ kind: 'error', codes: ['ACCOUNT_NOT_FOUND'] });
          else {
            this.addShares(g.id, c.sym, n);
            this.granted.set(c.sym, (this.granted.get(c.sym) ?? 0n) + n);
            out.push({ kind: 'granted', sym: c.sym, id: g.id });
          }
        }
      }
    }
    return out;
  }

  transactions(account: string, children: ResolvedTxChild[], now: number): Expected[] {
    return children.map((c) => this.child(account, c, now));
  }

  private child(account: string, c: ResolvedTxChild, now: number): Expected {
    if (c.t === 'order') {
      const amount = num(c.amount, SHARE_SCALE);
      const limit = num(c.limit, PRICE_SCALE);
      if (amount === null || amount === 0n || limit === null || limit <= 0n) {
        return { kind: 'error' };
      }
      if (!this.cash.has(account)) return { kind: 'error', codes: ['ACCOUNT_NOT_FOUND'] };
      if (!this.symbols.includes(c.sym)) return { kind: 'error', codes: ['SYMBOL_NOT_FOUND'] };
      const isBuy = amount > 0n;
      const size = isBuy ? amount : -amount;
      if (isBuy) {
        const cost = size * limit;
        const cash = this.cash.get(account) ?? 0n;
        if (cash < cost) return { kind: 'error', codes: ['INSUFFICIENT_FUNDS'] };
        this.cash.set(account, cash - cost);
      } else {
        if (this.shares(account, c.sym) < size) {
          return { kind: 'error', codes: ['INSUFFICIENT_SHARES'] };
        }
        this.addShares(account, c.sym, -size);
      }
      const order: MOrder = {
        id: this.nextId,
        account,
        sym: c.sym,
        isBuy,
        size,
        limit,
        open: size,
        fills: [],
        canceled: null,
      };
      this.match(order, now);
      this.orders.push(order);
      return {
        kind: 'opened',
        echo: [
          ['sym', c.sym],
          ['amount', c.amount],
          ['limit', c.limit],
        ],
        orderId: order.id,
      };
    }

    // query or cancel
    if (c.id === null) return { kind: 'error' };
    const echo: [string, string][] = [['id', c.text]];
    if (!this.cash.has(account)) return { kind: 'error', codes: ['ACCOUNT_NOT_FOUND'] };
    const order = this.orders.find((o) => o.id === c.id);
    if (order === undefined) return { kind: 'error', codes: ['ORDER_NOT_FOUND'] };
    if (c.t === 'query') return { kind: 'status', echo, status: statusOf(order) };
    const notMine = order.account !== account;
    const closed = order.open === 0n;
    if (notMine || closed) {
      // The order of these two checks is not specified; either refusal is fine.
      const codes: ErrorCode[] = [];
      if (notMine) codes.push('NOT_ORDER_OWNER');
      if (closed) codes.push('ORDER_NOT_OPEN');
      return { kind: 'error', codes };
    }
    const shares = order.open;
    if (order.isBuy) this.cash.set(account, (this.cash.get(account) ?? 0n) + shares * order.limit);
    else this.addShares(account, order.sym, shares);
    order.open = 0n;
    order.canceled = { shares, time: now };
    return { kind: 'canceled', echo, status: statusOf(order) };
  }

  /** Naive matching: scan everything, sort by price then id, take the first, repeat. */
  private match(incoming: MOrder, now: number): void {
    for (;;) {
      if (incoming.open === 0n) return;
      const candidates = this.orders.filter(
        (o) =>
          o.sym === incoming.sym &&
          o.isBuy !== incoming.isBuy &&
          o.open > 0n &&
          (incoming.isBuy ? o.limit <= incoming.limit : o.limit >= incoming.limit),
      );
      if (candidates.length === 0) return;
      candidates.sort((a, b) => {
        if (a.limit !== b.limit) {
          const aBetter = incoming.isBuy ? a.limit < b.limit : a.limit > b.limit;
          return aBetter ? -1 : 1;
        }
        return a.id - b.id;
      });
      const resting = candidates[0]!;
      const n = incoming.open < resting.open ? incoming.open : resting.open;
      const price = resting.limit;
      incoming.open -= n;
      resting.open -= n;
      incoming.fills.push({ shares: n, price, time: now });
      resting.fills.push({ shares: n, price, time: now });
      const buy = incoming.isBuy ? incoming : resting;
      const sell = incoming.isBuy ? resting : incoming;
      this.addShares(buy.account, buy.sym, n);
      this.cash.set(buy.account, (this.cash.get(buy.account) ?? 0n) + n * (buy.limit - price));
      this.cash.set(sell.account, (this.cash.get(sell.account) ?? 0n) + n * price);
    }
  }
}

function statusOf(o: MOrder): MStatus {
  return {
    open: o.open,
    canceled: o.canceled === null ? null : { ...o.canceled },
    fills: o.fills.map((f) => ({ ...f })),
  };
}

// ---------------------------------------------------------------------------------------
// Turning generated commands into engine requests.

type ResolvedTxChild =
  | { t: 'order'; sym: string; amount: string; limit: string }
  | { t: 'query' | 'cancel'; text: string; id: number | null };

function resolveRef(
  ref: OrderRef,
  nextId: number,
  ownIds: number[],
): { text: string; id: number | null } {
  if (ref.t === 'own' && ownIds.length > 0) {
    const id = ownIds[Math.floor((ref.r * ownIds.length) / 1000)]!;
    return { text: String(id), id };
  }
  if (ref.t === 'raw') {
    const id = /^[0-9]+$/.test(ref.text) && Number(ref.text) >= 1 ? Number(ref.text) : null;
    return { text: ref.text, id };
  }
  // Ids 1 .. nextId + 1: every existing order, plus two that do not exist yet.
  const id = 1 + Math.floor((ref.r * (nextId + 1)) / 1000);
  return { text: String(id), id };
}

function createRequest(children: GenCreateChild[]): Request {
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

function txRequest(account: string, children: ResolvedTxChild[]): Request {
  const out: TransactionChild[] = children.map((c) =>
    c.t === 'order' ? validateOrder(c.sym, c.amount, c.limit) : validateOrderRef(c.t, c.text),
  );
  return { kind: 'transactions', account, children: out };
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

function checkResult(actual: Result | undefined, expected: Expected, where: string): void {
  assert.ok(actual !== undefined, `${where}: missing result`);
  const ctx = `${where}: engine ${show(actual)} vs model ${show(expected)}`;
  assert.equal(actual.kind, expected.kind, ctx);
  switch (expected.kind) {
    case 'error':
      if (expected.codes !== undefined && actual.kind === 'error') {
        assert.ok(expected.codes.includes(actual.error.code), ctx);
      }
      return;
    case 'created':
      assert.deepEqual(actual, expected, ctx);
      return;
    case 'granted':
      assert.deepEqual(actual, expected, ctx);
      return;
    case 'opened':
      assert.deepEqual(actual, expected, ctx);
      return;
    case 'status':
    case 'canceled':
      assert.deepEqual(actual, expected, ctx);
      return;
  }
}

// ---------------------------------------------------------------------------------------
// Invariants on the engine state.

function checkInvariants(ex: Exchange, model: Model, where: string): void {
  let cash = 0n;
  const held = new Map<string, bigint>();
  for (const a of ex.accounts.values()) {
    assert.ok(a.cash >= 0n, `${where}: account ${a.id} cash ${a.cash} < 0`);
    cash += a.cash;
    for (const p of a.positions.values()) {
      assert.ok(p.shares >= 0n, `${where}: account ${a.id} ${p.sym} ${p.shares} < 0`);
      held.set(p.sym, (held.get(p.sym) ?? 0n) + p.shares);
    }
    // The engine agrees with the model on every balance and position.
    assert.equal(a.cash, model.cash.get(a.id), `${where}: cash of ${a.id}`);
    for (const sym of new Set([
      ...a.positions.keys(),
      ...(model.positions.get(a.id)?.keys() ?? []),
    ])) {
      assert.equal(
        a.positions.get(sym)?.shares ?? 0n,
        model.shares(a.id, sym),
        `${where}: ${sym} of ${a.id}`,
      );
    }
  }
  assert.deepEqual([...ex.accounts.keys()].sort(), [...model.cash.keys()].sort(), where);
  assert.deepEqual([...ex.books.keys()].sort(), [...model.symbols].sort(), `${where}: symbols`);

  let reservedCash = 0n;
  const reservedShares = new Map<string, bigint>();
  for (const o of ex.orders.values()) {
    const executed = o.fills.reduce((s, f) => s + f.shares, 0n);
    const canceled = o.canceled?.shares ?? 0n;
    assert.equal(o.open + executed + canceled, o.shares, `${where}: order ${o.id} size`);
    assert.ok(o.open >= 0n, `${where}: order ${o.id} open < 0`);
    if (o.canceled !== null) assert.equal(o.open, 0n, `${where}: canceled order ${o.id} open`);
    if (o.open === 0n) continue;
    if (o.isBuy) reservedCash += o.open * o.limit;
    else reservedShares.set(o.sym, (reservedShares.get(o.sym) ?? 0n) + o.open);
  }
  assert.equal(ex.orders.size, model.orders.length, `${where}: order count`);
  assert.equal(cash + reservedCash, model.deposited, `${where}: cash + reserved = deposited`);

  for (const [sym, b] of ex.books) {
    const granted = model.granted.get(sym) ?? 0n;
    assert.equal(
      (held.get(sym) ?? 0n) + (reservedShares.get(sym) ?? 0n),
      granted,
      `${where}: ${sym} held + reserved = granted`,
    );
    const bid = b.bids.best()?.price;
    const ask = b.asks.best()?.price;
    if (bid !== undefined && ask !== undefined) {
      assert.ok(bid < ask, `${where}: ${sym} book crossed: bid ${bid} ask ${ask}`);
    }
    // The book holds exactly the open orders, FIFO by id within each level, and each
    // level's running total matches its orders.
    const openIds: number[] = [];
    for (const [side, isBuy] of [
      [b.bids, true],
      [b.asks, false],
    ] as const) {
      for (const level of levelOrders(side)) {
        const sorted = [...level.ids].sort((x, y) => x - y);
        assert.deepEqual(level.ids, sorted, `${where}: ${sym} level ${level.price} FIFO`);
        assert.ok(level.ids.length > 0, `${where}: ${sym} empty level ${level.price}`);
        for (const id of level.ids) {
          const o = ex.orders.get(id);
          assert.ok(o !== undefined && o.isBuy === isBuy && o.limit === level.price, where);
          openIds.push(id);
        }
      }
      for (const level of side.levels()) {
        let open = 0n;
        for (let o = level.head; o !== null; o = o.next) open += o.open;
        assert.equal(level.openShares, open, `${where}: ${sym} level ${level.price} openShares`);
      }
    }
    const expectedOpen = [...ex.orders.values()]
      .filter((o) => o.sym === sym && o.open > 0n)
      .map((o) => o.id);
    assert.deepEqual(
      openIds.sort((x, y) => x - y),
      expectedOpen.sort((x, y) => x - y),
      `${where}: ${sym} book = open orders`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// Running a sequence.

const T0 = 1_700_000_000;

interface Run {
  now: number;
}

/**
 * Applies one command to every engine and to the model: each engine's results must match
 * the model's expectations, and all engines must give identical results.
 */
function step(engines: Exchange[], model: Model, cmd: GenCmd, run: Run, where: string): void {
  run.now += cmd.dt;
  let request: Request;
  let expected: Expected[];
  if (cmd.t === 'create') {
    request = createRequest(cmd.children);
    expected = model.create(cmd.children);
  } else {
    // Refs resolve against an upper bound of the next id at that child (earlier order
    // children of the same request may add orders), so they cover existing and missing ids.
    const resolved: ResolvedTxChild[] = [];
    let nextId = model.nextId;
    const ownIds = model.orders.filter((o) => o.account === cmd.account).map((o) => o.id);
    for (const c of cmd.children) {
      if (c.t === 'order') {
        resolved.push(c);
        nextId++;
      } else resolved.push({ t: c.t, ...resolveRef(c.ref, nextId, ownIds) });
    }
    request = txRequest(cmd.account, resolved);
    expected = model.transactions(cmd.account, resolved, run.now);
  }
  const first = engines[0]!.apply(request, run.now);
  assert.equal(first.length, expected.length, `${where}: number of results`);
  expected.forEach((e, i) => checkResult(first[i], e, `${where} child ${i}`));
  for (const other of engines.slice(1)) {
    const results = other.apply(request, run.now);
    assert.deepEqual(
      results,
      first,
      `${where}: restored engine differs: ${show(results)} vs ${show(first)}`,
    );
  }
}

async function runSequence(cmds: GenCmd[], tail: GenCmd[]): Promise<void> {
  const ex = new Exchange();
  const model = new Model();
  const store = new MemoryStore();
  const run: Run = { now: T0 };
  for (let i = 0; i < cmds.length; i++) {
    step([ex], model, cmds[i]!, run, `step ${i}`);
    checkInvariants(ex, model, `after step ${i}`);
    await store.commit(ex.takeChanges());
  }

  // Restore from the committed changes; the restored engine must be indistinguishable.
  const restored = Exchange.restore(await store.load());
  assert.equal(restored.peekNextOrderId, ex.peekNextOrderId, 'restored next order id');
  assert.deepEqual(dumpState(restored), dumpState(ex), 'restored state');
  checkInvariants(restored, model, 'restored');
  for (let i = 0; i < tail.length; i++) {
    step([ex, restored], model, tail[i]!, run, `tail ${i}`);
    checkInvariants(ex, model, `tail ${i} original`);
    checkInvariants(restored, model, `tail ${i} restored`);
  }
  assert.deepEqual(dumpState(restored), dumpState(ex), 'state after the tail');
}

// ---------------------------------------------------------------------------------------

const scenario = fc.integer({ min: 1, max: 3 }).chain((nSymbols) =>
  fc.record({
    cmds: genCommands(nSymbols, 60),
    tail: genCommands(nSymbols, 12).map((c) => c.slice(1)),
  }),
);

test('engine agrees with a naive model of PROTOCOL.md, keeps its invariants and restores exactly', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ cmds, tail }) => {
      await runSequence(cmds, tail);
    }),
    { numRuns: 500 },
  );
});

test('long runs on a single symbol (deep books, many partial fills)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({ cmds: genCommands(1, 100), tail: genCommands(1, 20).map((c) => c.slice(1)) }),
      async ({ cmds, tail }) => {
        await runSequence(cmds, tail);
      },
    ),
    { numRuns: 200 },
  );
});
