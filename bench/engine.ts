// Engine throughput in process: the mixed flow (55% orders, about half crossing; 25%
// queries; 20% cancels), applied in batches of 100 with the batch's changes taken and closed
// orders beyond the history cache let go, as the sequencer does. Each batch's requests are
// built just before it, from the flow recorded as its clients send it (RecordedFlow), as a
// server applies requests it has just decoded; only apply + takeChanges + takeEvents +
// evictClosed are timed, and the collector's pauses that fall while requests are built are
// counted as the engine's. The engine is the server's (the adaptive engine, which runs this
// flow on its column engine); `--classic` times the classic engine alone instead, and
// `--compare` both, side by side (below). BENCH_IOC_EVERY=N makes every Nth order of the flow
// immediate-or-cancel (an extension the column engine runs too), otherwise as it was, and
// BENCH_STOP_EVERY=N every Nth order a stop-limit order with its stop at its limit;
// BENCH_BOOK_EVENTS=1 has the engine make market-data events from the start, as a server does
// once somebody follows a book feed.

import type { Request } from '../src/engine/commands.js';
import { Exchange } from '../src/engine/exchange.js';
import { AdaptiveExchange, type MatchingEngine } from '../src/engine/adaptive-exchange.js';
import {
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../src/engine/validate.js';
import { MixedFlow, type FlowStep } from '../tools/load/mixed-flow.js';
import { DEFAULT_HISTORY_CACHE } from '../src/sequencer/sequencer.js';
import { CANCEL, QUERY } from './floor-flow.js';
import { median } from './stats.js';
import { settleHeap } from './window.js';
import { execFileSync } from 'node:child_process';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const BATCH = 100;
const IOC_EVERY = Number(process.env.BENCH_IOC_EVERY ?? 0);
const STOP_EVERY = Number(process.env.BENCH_STOP_EVERY ?? 0);
const ENGINE_OPTIONS = process.env.BENCH_BOOK_EVENTS === '1' ? { bookEvents: true } : {};
let ordersMade = 0;

// Which extension an order of the flow takes: every Nth one (BENCH_IOC_EVERY, BENCH_STOP_EVERY).
const PLAIN = 0;
const IOC = 1;
const STOP = 2;
function extensionOf(order: number): number {
  if (IOC_EVERY > 0 && order % IOC_EVERY === 0) return IOC;
  if (STOP_EVERY > 0 && order % STOP_EVERY === 0) return STOP;
  return PLAIN;
}

/** An order from the texts a client sends, validated as the server's decoder does. */
function orderChild(sym: string, amount: number, limit: number, extension: number) {
  const extras =
    extension === IOC ? { tif: 'IOC' } : extension === STOP ? { stop: String(limit) } : {};
  return validateOrder(sym, String(amount), String(limit), extras);
}

function toRequest(step: FlowStep): Request {
  const child =
    step.kind === 'order'
      ? orderChild(step.sym, step.amount, step.limit, extensionOf(++ordersMade))
      : validateOrderRef(step.kind, String(step.id));
  return { kind: 'transactions', account: step.account, children: [child] };
}

/**
 * The mixed flow as its clients send it, kept in typed arrays: each step's kind, account,
 * symbol and numbers. `request(i)` builds step i's request as the server's decoder does (the
 * attributes' texts validated), so that a benchmark builds each batch's requests just before
 * applying it, as a server applies requests it has just decoded. A million requests built in
 * advance were 1.2 GB of heap that a server never holds: the engine read each from memory
 * instead of the cache, and the collector's scavenges ran over that heap.
 */
export class RecordedFlow {
  length = 0;
  private readonly kinds: Uint8Array;
  private readonly accounts: Uint32Array;
  private readonly syms: Uint32Array;
  private readonly amounts: Float64Array;
  /** An order's limit, or the order id a query or a cancel names. */
  private readonly values: Float64Array;
  private readonly extensions: Uint8Array;
  private readonly accountIndex: Map<string, number>;
  private readonly symbolIndex: Map<string, number>;

  constructor(
    private readonly accountIds: readonly string[],
    private readonly symbols: readonly string[],
    capacity: number,
  ) {
    this.kinds = new Uint8Array(capacity);
    this.accounts = new Uint32Array(capacity);
    this.syms = new Uint32Array(capacity);
    this.amounts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.extensions = new Uint8Array(capacity);
    this.accountIndex = new Map(accountIds.map((id, i) => [id, i]));
    this.symbolIndex = new Map(symbols.map((sym, i) => [sym, i]));
  }

  add(step: FlowStep, extension: number): void {
    const i = this.length++;
    this.accounts[i] = this.accountIndex.get(step.account)!;
    this.extensions[i] = extension;
    if (step.kind === 'order') {
      this.syms[i] = this.symbolIndex.get(step.sym)!;
      this.amounts[i] = step.amount;
      this.values[i] = step.limit;
    } else {
      this.kinds[i] = step.kind === 'query' ? QUERY : CANCEL;
      this.values[i] = step.id;
    }
  }

  request(i: number): Request {
    const kind = this.kinds[i]!;
    const child =
      kind === QUERY || kind === CANCEL
        ? validateOrderRef(kind === QUERY ? 'query' : 'cancel', String(this.values[i]))
        : orderChild(
            this.symbols[this.syms[i]!]!,
            this.amounts[i]!,
            this.values[i]!,
            this.extensions[i]!,
          );
    return {
      kind: 'transactions',
      account: this.accountIds[this.accounts[i]!]!,
      children: [child],
    };
  }
}

/** What the setup gives every account: dollars, and shares of every symbol (decimal text). */
export interface FlowFunds {
  readonly balance: string;
  readonly shares: string;
}

/** Plenty: the flow never runs out. */
const AMPLE_FUNDS: FlowFunds = { balance: '1000000000000', shares: '1000000000' };

function setupRequest(flow: MixedFlow, funds: FlowFunds): Request {
  const children = [];
  for (const id of flow.accountIds) children.push(validateCreateAccount(id, funds.balance));
  for (const sym of flow.symbols) {
    children.push({ kind: 'symbol' as const, sym });
    for (const id of flow.accountIds) children.push(validateGrant(sym, id, funds.shares));
  }
  return { kind: 'create', children };
}

/**
 * A deep book for the flow's accounts and symbols: `depth` resting one-share orders, bids at
 * 20-89 and asks at 111-180, behind the flow's prices (90-110), so the flow trades in front
 * of it and it stays whole. One request per 500 orders, each made when it is asked for: held
 * all at once, a million orders' requests outlive the collector's scavenges together, and V8
 * then makes every later object of the decoder's straight in the old generation
 * (allocation-site pretenuring), the flow's requests too.
 */
export function* deepBookRequests(depth: number): Generator<Request> {
  const flow = new MixedFlow({ accounts: 100, symbols: 4 });
  for (let placed = 0, n = 0; placed < depth; n++) {
    const children = [];
    for (let i = 0; i < 500 && placed < depth; i++, placed++) {
      const isBuy = placed % 2 === 0;
      const level = 20 + (Math.floor(placed / 2) % 70);
      const sym = flow.symbols[placed % flow.symbols.length]!;
      children.push(validateOrder(sym, isBuy ? '1' : '-1', String(isBuy ? level : 200 - level)));
    }
    yield { kind: 'transactions', account: flow.accountIds[n % 100]!, children };
  }
}

/**
 * Records a flow of `count` requests by running it once (the flow needs real order ids),
 * after the `before` requests (a deep book) if any, every account funded with `funds`.
 */
export function recordMixedFlow(
  count: number,
  seed = 7,
  before: readonly Request[] = [],
  funds: FlowFunds = AMPLE_FUNDS,
): { setup: Request; requests: Request[]; orders: number } {
  const flow = new MixedFlow({ accounts: 100, symbols: 4, seed });
  const engine = new Exchange();
  const setup = setupRequest(flow, funds);
  engine.apply(setup, 0);
  for (const request of before) engine.apply(request, 0);
  const requests: Request[] = [];
  let orders = 0;
  for (let i = 0; i < count; i++) {
    const step = flow.next();
    const request = toRequest(step);
    requests.push(request);
    const [result] = engine.apply(request, 0);
    if (step.kind === 'order') orders++;
    if (result?.kind === 'opened') flow.opened(step.account, result.orderId);
  }
  return { setup, requests, orders };
}

/** Requests in batches, as the sequencer applies them, each batch's changes taken. */
export function applyFlow(
  engine: MatchingEngine,
  requests: Iterable<Request>,
  historyCache = DEFAULT_HISTORY_CACHE,
): void {
  let inBatch = 0;
  for (const request of requests) {
    engine.apply(request, 1);
    if (++inBatch === BATCH) {
      closeBatch(engine, historyCache);
      inBatch = 0;
    }
  }
  if (inBatch > 0) closeBatch(engine, historyCache);
}

function closeBatch(engine: MatchingEngine, historyCache: number): void {
  const batch = engine.currentBatch;
  engine.takeChanges();
  engine.takeEvents();
  engine.evictClosed(batch, historyCache);
}

/**
 * Records `count` steps of the mixed flow by running them once (the flow needs real order
 * ids), after the `before` requests (a deep book) if any, in batches as the sequencer applies
 * them.
 */
export function recordFlow(
  count: number,
  before: (() => Iterable<Request>) | null = null,
  historyCache = DEFAULT_HISTORY_CACHE,
): { setup: Request; flow: RecordedFlow; orders: number } {
  const mixed = new MixedFlow({ accounts: 100, symbols: 4, seed: 7 });
  const engine = new Exchange();
  const setup = setupRequest(mixed, AMPLE_FUNDS);
  engine.apply(setup, 0);
  if (before !== null) applyFlow(engine, before(), historyCache);
  const flow = new RecordedFlow(mixed.accountIds, mixed.symbols, count);
  let orders = 0;
  for (let i = 0; i < count; i++) {
    const step = mixed.next();
    flow.add(step, step.kind === 'order' ? extensionOf(++orders) : PLAIN);
    const [result] = engine.apply(flow.request(i), 0);
    if (result?.kind === 'opened') mixed.opened(step.account, result.orderId);
    if ((i + 1) % BATCH === 0) closeBatch(engine, historyCache);
  }
  return { setup, flow, orders };
}

/**
 * Applies `flow` in batches, as the sequencer does, each batch's requests built just before
 * it, and gives the seconds the engine took: the clock runs while it works, and the
 * collector's pauses that fell while a batch was being built count as the engine's too (what
 * a scavenge copies is the engine's state; the requests built die with their batch).
 */
export async function timeFlow(
  engine: MatchingEngine,
  flow: RecordedFlow,
  historyCache = DEFAULT_HISTORY_CACHE,
): Promise<number> {
  const pauses: { start: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ start: e.startTime, ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const batches = Math.ceil(flow.length / BATCH);
  const starts = new Float64Array(batches);
  const ends = new Float64Array(batches);
  const requests: Request[] = [];
  for (let b = 0; b < batches; b++) {
    const first = b * BATCH;
    const end = Math.min(first + BATCH, flow.length);
    requests.length = 0;
    for (let i = first; i < end; i++) requests.push(flow.request(i));
    starts[b] = performance.now();
    for (let i = 0; i < requests.length; i++) engine.apply(requests[i]!, 1);
    closeBatch(engine, historyCache);
    ends[b] = performance.now();
  }
  // Node hands the collector's entries over from the event loop, after the run.
  await sleep(50);
  observer.disconnect();
  let ms = 0;
  for (let b = 0; b < batches; b++) ms += ends[b]! - starts[b]!;
  for (const pause of pauses) {
    const b = lastAtOrBefore(starts, pause.start);
    const inBatch = b >= 0 && pause.start < ends[b]!;
    if (!inBatch && pause.start >= starts[0]! && pause.start < ends[batches - 1]!) ms += pause.ms;
  }
  return ms / 1000;
}

/** The index of the last of the ascending `values` at or below `x`, or -1. */
function lastAtOrBefore(values: Float64Array, x: number): number {
  let low = 0;
  let high = values.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! <= x) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

export type EngineMaker = () => MatchingEngine;
/** The engine the server runs. */
export const serverEngine: EngineMaker = () => AdaptiveExchange.create(ENGINE_OPTIONS);
/** The classic engine alone. */
export const classicEngine: EngineMaker = () => new Exchange(ENGINE_OPTIONS);

export interface EngineFigures {
  commandsPerSecond: number;
  ordersPerSecond: number;
  runs: number[];
}

export async function benchEngine(
  count = 1_000_000,
  runs = 5,
  historyCache = DEFAULT_HISTORY_CACHE,
  /** A book built before the flow, request by request (deepBookRequests). */
  before: (() => Iterable<Request>) | null = null,
  /** Around building each run's book (setup and `before`), before the clock starts. */
  hooks: { beforeBuild?: () => void; afterBuild?: (engine: MatchingEngine) => void } = {},
  make: EngineMaker = serverEngine,
): Promise<EngineFigures> {
  const { setup, flow, orders } = recordFlow(count, before, historyCache);
  const rates: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    hooks.beforeBuild?.();
    let engine: MatchingEngine | null = make();
    engine.apply(setup, 0);
    // In batches, as the server's sequencer applies requests, changes taken after each.
    if (before !== null) applyFlow(engine, before(), historyCache);
    engine.takeChanges();
    hooks.afterBuild?.(engine);
    // From a collected and swept heap (with --expose-gc): a run does not pay for the engine
    // the run before it left, which a server never has to collect.
    settleHeap();
    const seconds = await timeFlow(engine, flow, historyCache);
    engine = null;
    // The first run warms the JIT up and is not counted.
    if (run > 0) rates.push(flow.length / seconds);
  }
  const commandsPerSecond = median(rates);
  return {
    commandsPerSecond,
    ordersPerSecond: (commandsPerSecond * orders) / flow.length,
    runs: rates,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const count = Number(args[0] ?? 1_000_000);
  const historyCache = Number(args[1] ?? DEFAULT_HISTORY_CACHE);
  if (process.argv.includes('--compare')) compareEngines(count, historyCache);
  else {
    const make = process.argv.includes('--classic') ? classicEngine : serverEngine;
    const runs = Number(process.env.BENCH_RUNS ?? 5);
    console.log(JSON.stringify(await benchEngine(count, runs, historyCache, null, {}, make)));
  }
}

/**
 * The server's engine and the classic engine alone, each in a fresh process per round (one
 * process running both would share its call sites' feedback between them), the order
 * alternating; per process the median of 3 runs after a warm-up.
 */
function compareEngines(count: number, historyCache: number): void {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const figures = (engine: 'server' | 'classic'): number => {
    const argv = ['--expose-gc', '--max-semi-space-size=64', '--import', 'tsx'];
    argv.push(fileURLToPath(import.meta.url), String(count), String(historyCache));
    if (engine === 'classic') argv.push('--classic');
    const out = execFileSync(process.execPath, argv, {
      encoding: 'utf8',
      env: { ...process.env, BENCH_RUNS: '3' },
    });
    return (JSON.parse(out.trim().split('\n').pop()!) as EngineFigures).commandsPerSecond;
  };
  const server: number[] = [];
  const classic: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order =
      round % 2 === 0 ? (['server', 'classic'] as const) : (['classic', 'server'] as const);
    const got = new Map(order.map((engine) => [engine, figures(engine)]));
    server.push(got.get('server')!);
    classic.push(got.get('classic')!);
    ratios.push(got.get('server')! / got.get('classic')!);
  }
  const r = (n: number): number => Math.round(n);
  console.log(
    JSON.stringify({
      server: r(median(server)),
      classic: r(median(classic)),
      ratio: Number(median(ratios).toFixed(2)),
      serverRuns: server.map(r),
      classicRuns: classic.map(r),
      ratios: ratios.map((x) => Number(x.toFixed(2))),
    }),
  );
}
