// Engine throughput in process: the mixed flow (55% orders, about half crossing; 25%
// queries; 20% cancels), applied in batches of 100 with the batch's changes taken and closed
// orders beyond the history cache let go, as the sequencer does. Requests are built before
// timing; only apply + takeChanges + takeEvents + evictClosed are timed. The engine is the
// server's (the adaptive engine, which runs this flow on its column engine); `--classic`
// times the classic engine alone instead, and `--compare` both, side by side (below).
// BENCH_IOC_EVERY=N makes every Nth order of the flow immediate-or-cancel (an extension the
// column engine runs too), otherwise as it was, and BENCH_STOP_EVERY=N every Nth order a
// stop-limit order with its stop at its limit; BENCH_BOOK_EVENTS=1 has the engine make
// market-data events from the start, as a server does once somebody follows a book feed.

import type { Request } from '../src/engine/commands.js';
import { Exchange } from '../src/engine/exchange.js';
import { AdaptiveExchange, type MatchingEngine } from '../src/engine/adaptive-exchange.js';
import {
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../src/engine/validate.js';
import { MixedFlow } from '../tools/load/mixed-flow.js';
import { DEFAULT_HISTORY_CACHE } from '../src/sequencer/sequencer.js';
import { median } from './stats.js';
import { settleHeap } from './window.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BATCH = 100;
const IOC_EVERY = Number(process.env.BENCH_IOC_EVERY ?? 0);
const STOP_EVERY = Number(process.env.BENCH_STOP_EVERY ?? 0);
const ENGINE_OPTIONS = process.env.BENCH_BOOK_EVENTS === '1' ? { bookEvents: true } : {};
let ordersMade = 0;

function toRequest(step: ReturnType<MixedFlow['next']>): Request {
  let child;
  if (step.kind === 'order') {
    ordersMade++;
    const ioc = IOC_EVERY > 0 && ordersMade % IOC_EVERY === 0;
    const stop = STOP_EVERY > 0 && ordersMade % STOP_EVERY === 0;
    const extras = ioc ? { tif: 'IOC' } : stop ? { stop: String(step.limit) } : {};
    child = validateOrder(step.sym, String(step.amount), String(step.limit), extras);
  } else child = validateOrderRef(step.kind, String(step.id));
  return { kind: 'transactions', account: step.account, children: [child] };
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
 * of it and it stays whole. One request per 500 orders.
 */
export function deepBookRequests(depth: number): Request[] {
  const flow = new MixedFlow({ accounts: 100, symbols: 4 });
  const requests: Request[] = [];
  for (let placed = 0, n = 0; placed < depth; n++) {
    const children = [];
    for (let i = 0; i < 500 && placed < depth; i++, placed++) {
      const isBuy = placed % 2 === 0;
      const level = 20 + (Math.floor(placed / 2) % 70);
      const sym = flow.symbols[placed % flow.symbols.length]!;
      children.push(validateOrder(sym, isBuy ? '1' : '-1', String(isBuy ? level : 200 - level)));
    }
    requests.push({ kind: 'transactions', account: flow.accountIds[n % 100]!, children });
  }
  return requests;
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

/** The recorded flow in batches, as the sequencer applies it: what the engine figures time. */
export function applyFlow(
  engine: MatchingEngine,
  requests: readonly Request[],
  historyCache = DEFAULT_HISTORY_CACHE,
): void {
  for (let i = 0; i < requests.length; i += BATCH) {
    const end = Math.min(i + BATCH, requests.length);
    for (let j = i; j < end; j++) engine.apply(requests[j]!, 1);
    const batch = engine.currentBatch;
    engine.takeChanges();
    engine.takeEvents();
    engine.evictClosed(batch, historyCache);
  }
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

export function benchEngine(
  count = 1_000_000,
  runs = 5,
  historyCache = DEFAULT_HISTORY_CACHE,
  before: readonly Request[] = [],
  /** Around building each run's book (setup and `before`), before the clock starts. */
  hooks: { beforeBuild?: () => void; afterBuild?: (engine: MatchingEngine) => void } = {},
  make: EngineMaker = serverEngine,
): EngineFigures {
  const { setup, requests, orders } = recordMixedFlow(count, 7, before);
  const rates: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    hooks.beforeBuild?.();
    let engine: MatchingEngine | null = make();
    engine.apply(setup, 0);
    // In batches, as the server's sequencer applies requests, changes taken after each.
    applyFlow(engine, before, historyCache);
    engine.takeChanges();
    hooks.afterBuild?.(engine);
    // From a collected and swept heap (with --expose-gc): a run does not pay for the engine
    // the run before it left, which a server never has to collect.
    settleHeap();
    const start = process.hrtime.bigint();
    applyFlow(engine, requests, historyCache);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    engine = null;
    // The first run warms the JIT up and is not counted.
    if (run > 0) rates.push(requests.length / seconds);
  }
  const commandsPerSecond = median(rates);
  return {
    commandsPerSecond,
    ordersPerSecond: (commandsPerSecond * orders) / requests.length,
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
    console.log(JSON.stringify(benchEngine(count, runs, historyCache, [], {}, make)));
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
