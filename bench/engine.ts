// Engine throughput in process: the mixed flow (55% orders, about half crossing; 25%
// queries; 20% cancels), applied in batches of 100 with the batch's changes taken and closed
// orders beyond the history cache let go, as the sequencer does. Requests are built before
// timing; only apply + takeChanges + takeEvents + evictClosed are timed.

import type { Request } from '../src/engine/commands.js';
import { Exchange } from '../src/engine/exchange.js';
import {
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../src/engine/validate.js';
import { MixedFlow } from '../tools/load/mixed-flow.js';
import { DEFAULT_HISTORY_CACHE } from '../src/sequencer/sequencer.js';
import { median } from './stats.js';
import { collectHeap } from './window.js';

const BATCH = 100;

function toRequest(step: ReturnType<MixedFlow['next']>): Request {
  const child =
    step.kind === 'order'
      ? validateOrder(step.sym, String(step.amount), String(step.limit))
      : validateOrderRef(step.kind, String(step.id));
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
  engine: Exchange,
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
  hooks: { beforeBuild?: () => void; afterBuild?: (engine: Exchange) => void } = {},
): EngineFigures {
  const { setup, requests, orders } = recordMixedFlow(count, 7, before);
  const rates: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    hooks.beforeBuild?.();
    let engine: Exchange | null = new Exchange();
    engine.apply(setup, 0);
    for (const request of before) engine.apply(request, 0);
    engine.takeChanges();
    hooks.afterBuild?.(engine);
    // From a collected heap (with --expose-gc): a run does not pay for the engine the run
    // before it left, which a server never has to collect.
    collectHeap();
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
  const figures = benchEngine(
    Number(process.argv[2] ?? 1_000_000),
    5,
    Number(process.argv[3] ?? DEFAULT_HISTORY_CACHE),
  );
  console.log(JSON.stringify(figures));
}
