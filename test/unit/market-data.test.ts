// The pieces behind the feed and the stats, alone: the trade tape, the feed's coalescing,
// the sequenced book channels (level copy, per-batch grouping, slow clients), percentiles
// from histogram buckets, the best levels of a book side, and the latency histogram against
// prom-client's own.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyChangeSet, type ChangeSet, type ExecutionRow } from '../../src/engine/changes.js';
import { Exchange } from '../../src/engine/exchange.js';
import { MarketFeed, PENDING_TRADES } from '../../src/market/market-feed.js';
import { TradeTape } from '../../src/market/trade-tape.js';
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { BucketHistogram } from '../../src/metrics/bucket-histogram.js';
import { bucketDelta, maxMs, quantileMs } from '../../src/metrics/percentiles.js';
import { Account } from '../../src/engine/account.js';
import { Order } from '../../src/engine/order.js';
import { PriceLevels } from '../../src/engine/price-levels.js';
import { EventEmitter } from 'node:events';
import type { BookEvent } from '../../src/engine/book-events.js';
import { validateAmend, validateOrder } from '../../src/engine/validate.js';
import { BookFeed, type BookChannel, type LevelUpdate } from '../../src/market/book-feed.js';
import { SLOW_CLIENT_BYTES, WebSocketFeed } from '../../src/http/ws-feed.js';
import type { ServerMessage } from '../../src/http/api-types.js';
import { account, cancel, create, symbol, tx } from '../support/engine-fixtures.js';

const trade = (sym: string, n: number): ExecutionRow => ({
  sym,
  buyOrderId: n,
  sellOrderId: n + 1,
  shares: 1n,
  price: BigInt(n),
  time: 0,
  buyFee: null,
  sellFee: null,
});

const changes = (executions: ExecutionRow[]): ChangeSet => ({ ...emptyChangeSet(), executions });

test('the tape keeps the newest trades per symbol, newest first, in bounded memory', () => {
  const tape = new TradeTape(3);
  tape.record([1, 2, 3, 4, 5].map((n) => trade('A', n)));
  tape.record([trade('B', 9)]);
  assert.deepEqual(
    tape.recent('A', 10).map((t) => t.buyOrderId),
    [5, 4, 3],
  );
  assert.deepEqual(
    tape.recent('A', 2).map((t) => t.buyOrderId),
    [5, 4],
  );
  assert.equal(tape.lastPrice('B'), 9n);
  assert.equal(tape.lastPrice('C'), null);
});

test('the feed gathers only watched symbols, and sends at most a tick’s newest trades', () => {
  const feed = new MarketFeed();
  const engine = new Exchange();
  const batch = (executions: ExecutionRow[]) =>
    feed.batchDurable({
      changes: changes(executions),
      events: [],
      engine,
      requests: 1,
      commitMs: 0,
    });
  batch([trade('A', 1)]);
  assert.deepEqual([...feed.takeChanged()], [], 'nobody watches: nothing gathered');
  assert.equal(feed.tape.recent('A', 5).length, 1, 'but the tape has it');
  feed.watched.add('A');
  batch(Array.from({ length: PENDING_TRADES + 5 }, (_, i) => trade('A', i + 10)));
  batch([trade('B', 1)]);
  assert.deepEqual([...feed.takeChanged()], ['A']);
  const taken = feed.takeTrades().get('A')!;
  assert.equal(taken.dropped, 5);
  assert.equal(taken.trades.length, PENDING_TRADES);
  assert.equal(taken.trades.at(-1)!.buyOrderId, PENDING_TRADES + 14, 'the newest are kept');
  assert.equal(feed.takeTrades().size, 0, 'taken once');
});

test('percentiles interpolate inside buckets over an interval', () => {
  const before = new Map([
    [0.001, 10],
    [0.002, 10],
    [0.004, 10],
    [Infinity, 10],
  ]);
  const now = new Map([
    [0.001, 10],
    [0.002, 60],
    [0.004, 110],
    [Infinity, 110],
  ]);
  const delta = bucketDelta(now, before);
  assert.equal(quantileMs(delta, 0.5), 2);
  assert.equal(quantileMs(delta, 0.25), 1.5);
  assert.equal(quantileMs(delta, 0.99), 3.96);
  assert.equal(maxMs(delta), 4);
  assert.equal(quantileMs(bucketDelta(before, before), 0.5), null);
  const beyond = new Map([
    [0.001, 0],
    [Infinity, 4],
  ]);
  assert.equal(quantileMs(beyond, 0.5), 1, 'beyond the last bound reports that bound');
});

test('the best levels of a side come out in price order without sorting the side', () => {
  const account = new Account('1', 10n ** 30n);
  const bids = new PriceLevels(true);
  const prices = Array.from({ length: 500 }, (_, i) => BigInt((i * 7919) % 1000) + 1n);
  prices.forEach((p, i) => bids.add(new Order(i + 1, account, 'X', true, 1n, p, 0)));
  const all = bids.levels().map((l) => l.price);
  for (const n of [0, 1, 2, 10, 499, 500, 600]) {
    assert.deepEqual(
      bids.topLevels(n).map((l) => l.price),
      all.slice(0, n),
      `top ${n}`,
    );
  }
  assert.deepEqual(
    [...account.restingOrders()].map((o) => o.id),
    prices.map((_, i) => i + 1),
    'the account lists its resting orders in the order they rested',
  );
});

test('the bucket histogram prints and aggregates exactly as prom-client’s Histogram does', async () => {
  const bounds = [0.001, 0.01, 0.1];
  const observations = [0.0005, 0.001, 0.002, 0.05, 0.5, 0.01];
  const ours = new Registry();
  const fast = new BucketHistogram(ours, 'latency', 'help', 'listener', ['framed'], bounds);
  const theirs = new Registry();
  const reference = new Histogram({
    name: 'latency',
    help: 'help',
    labelNames: ['listener'],
    buckets: bounds,
    registers: [theirs],
  });
  for (const v of observations) {
    fast.observe('framed', v);
    reference.observe({ listener: 'framed' }, v);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
  const twice = AggregatorRegistry.aggregate([
    await ours.getMetricsAsJSON(),
    await ours.getMetricsAsJSON(),
  ]);
  assert.match(await twice.metrics(), /latency_bucket\{le="0.01",listener="framed"\} 8\b/);
  assert.match(await twice.metrics(), /latency_count\{listener="framed"\} 12\b/);
});

// --- the sequenced book channels ------------------------------------------------------------

interface Recorded {
  events: [string, BookEvent[]][];
  levels: [string, LevelUpdate][];
  resets: [string, BookChannel][];
}

function recordingFeed(): { books: BookFeed; seen: Recorded } {
  const books = new BookFeed();
  const seen: Recorded = { events: [], levels: [], resets: [] };
  books.sink = {
    events: (sym, events) => seen.events.push([sym, [...events]]),
    levels: (sym, update) => seen.levels.push([sym, update]),
    reset: (sym, channel) => seen.resets.push([sym, channel]),
  };
  return { books, seen };
}

/** An exchange with accounts 1-4 (cash and shares of SPY and QQQ) and a seeded generator. */
function busyExchange(seed: number) {
  const ex = new Exchange({ bookEvents: true });
  const parties = ['1', '2', '3', '4'];
  create(
    ex,
    ...parties.map((id) => account(id, '100000000')),
    symbol('SPY', ...parties.map((id): [string, string] => [id, '1000000'])),
    symbol('QQQ', ...parties.map((id): [string, string] => [id, '1000000'])),
  );
  ex.takeChanges();
  ex.takeEvents();
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const ids: number[] = [];
  /** One batch of a few requests; returns its events. */
  const batch = (): BookEvent[] => {
    for (let i = 0; i < 1 + Math.floor(next() * 4); i++) {
      const acct = parties[Math.floor(next() * parties.length)]!;
      const sym = next() < 0.8 ? 'SPY' : 'QQQ';
      const amount = (next() < 0.5 ? '-' : '') + String(1 + Math.floor(next() * 30));
      const limit = String(95 + Math.floor(next() * 10));
      const known = String(ids[Math.floor(next() * ids.length)] ?? 1);
      const roll = next();
      const child =
        roll < 0.5
          ? validateOrder(sym, amount, limit)
          : roll < 0.58
            ? validateOrder(sym, amount, limit, { tif: 'IOC' })
            : roll < 0.63
              ? validateOrder(sym, amount, undefined, { type: 'market' })
              : roll < 0.7
                ? validateOrder(sym, amount, limit, { stop: amount.startsWith('-') ? '98' : '101' })
                : roll < 0.8
                  ? validateAmend(known, '1', undefined)
                  : roll < 0.88
                    ? validateAmend(known, undefined, limit)
                    : cancel(known);
      for (const r of tx(ex, acct, [child])) if (r.kind === 'opened') ids.push(r.orderId);
    }
    ex.takeChanges();
    return ex.takeEvents();
  };
  return { ex, batch };
}

/** The engine's levels of a side as an l2 client holds them: price → [shares, orders]. */
function engineLevels(side: PriceLevels): Map<bigint, [bigint, number]> {
  return new Map(side.levels().map((l) => [l.price, [l.openShares, l.count]]));
}

test('l2 updates carry the new totals of every level a batch touched, chained by seq', () => {
  const { ex, batch } = busyExchange(7);
  const { books, seen } = recordingFeed();
  books.watch('SPY', 'l2', ex);
  const held = {
    bids: engineLevels(ex.book('SPY')!.bids),
    asks: engineLevels(ex.book('SPY')!.asks),
  };
  let seq = ex.book('SPY')!.seq;
  const types = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const events = batch();
    for (const e of events) types.add(e.type);
    books.batchDurable({ events, engine: ex });
    for (const [sym, update] of seen.levels.splice(0)) {
      assert.equal(sym, 'SPY', 'only the watched symbol');
      assert.equal(update.prevSeq, seq, 'no gap between updates');
      seq = update.seq;
      for (const [side, levels] of [
        [held.bids, update.bids],
        [held.asks, update.asks],
      ] as const) {
        for (const l of levels) {
          if (l.orders === 0) side.delete(l.price);
          else side.set(l.price, [l.shares, l.orders]);
        }
      }
    }
    const book = ex.book('SPY')!;
    assert.equal(seq, book.seq);
    assert.deepEqual(held.bids, engineLevels(book.bids));
    assert.deepEqual(held.asks, engineLevels(book.asks));
  }
  assert.deepEqual(seen.resets, []);
  assert.deepEqual([...types].sort(), ['amended', 'canceled', 'matched', 'opened', 'triggered']);
});

test('l3 gets each watched symbol’s events of a batch in order; nobody watching costs nothing', () => {
  const { ex, batch } = busyExchange(3);
  const { books, seen } = recordingFeed();
  for (let i = 0; i < 50; i++) books.batchDurable({ events: batch(), engine: ex });
  assert.equal(seen.events.length + seen.levels.length + seen.resets.length, 0);
  books.watch('QQQ', 'l3', ex);
  let seq = ex.book('QQQ')!.seq;
  for (let i = 0; i < 200; i++) {
    const events = batch();
    books.batchDurable({ events, engine: ex });
    const qqq = events.filter((e) => e.sym === 'QQQ');
    const sent = seen.events.splice(0);
    if (qqq.length === 0) assert.deepEqual(sent, []);
    else assert.deepEqual(sent, [['QQQ', qqq]]);
    for (const e of qqq) assert.equal(e.seq, ++seq);
  }
  assert.deepEqual(seen.levels, [], 'no level copy for l3 alone');
  books.unwatch('QQQ', 'l3');
  books.batchDurable({ events: batch(), engine: ex });
  assert.deepEqual(seen.events, []);
});

test('a level copy made ahead of the durable batches skips what it holds; a gap resets it', () => {
  const { ex, batch } = busyExchange(11);
  const { books, seen } = recordingFeed();
  let ahead: BookEvent[] = [];
  while (!ahead.some((e) => e.sym === 'SPY')) ahead = batch();
  // The copy sees the applied batch before the batch is durable.
  books.watch('SPY', 'l2', ex);
  const copied = ex.book('SPY')!.seq;
  let next: BookEvent[] = [];
  while (!next.some((e) => e.sym === 'SPY')) next = batch();
  books.batchDurable({ events: ahead, engine: ex });
  assert.equal(seen.levels.length, 0, 'already in the copy');
  books.batchDurable({ events: next, engine: ex });
  assert.equal(seen.levels.length, 1);
  assert.equal(seen.levels[0]![1].prevSeq, copied);

  let lost: BookEvent[] = [];
  while (!lost.some((e) => e.sym === 'SPY')) lost = batch();
  let after: BookEvent[] = [];
  while (!after.some((e) => e.sym === 'SPY')) after = batch();
  books.batchDurable({ events: after, engine: ex });
  assert.deepEqual(seen.resets, [['SPY', 'l2']], 'numbers skipped: subscribers start over');
  assert.equal(seen.levels.length, 1, 'nothing published from a copy that does not fit');

  // A rebuilt engine (store recovery) may reuse numbers: the copy is made again from it.
  const rebuilt = new Exchange();
  books.batchDurable({ events: batch().filter((e) => e.sym === 'SPY'), engine: rebuilt });
  assert.deepEqual(seen.resets.at(-1), ['SPY', 'l2']);
});

/** A socket as the feed uses it: the test sets how much it has queued. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: ServerMessage[] = [];
  send(text: string): void {
    this.sent.push(JSON.parse(text) as ServerMessage);
  }
  ping(): void {}
  terminate(): void {
    this.readyState = 3;
  }
  close(): void {
    this.readyState = 3;
  }
}

test('a client too far behind on l3 misses messages and gets a reset once it drains', async () => {
  const { ex, batch } = busyExchange(5);
  const market = new MarketFeed();
  const sequencer = { read: async <T>(view: (e: Exchange) => T): Promise<T> => view(ex) };
  const sampler = { listeners: new Set(), latest: async () => ({}) };
  const hub = new WebSocketFeed(sequencer as never, market, sampler as never);
  try {
    const ws = new FakeSocket();
    hub.accept(ws as never);
    ws.emit(
      'message',
      Buffer.from(JSON.stringify({ op: 'subscribe', symbol: 'SPY', channel: 'l3' })),
      false,
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ws.sent.splice(0), [{ type: 'subscribed', symbol: 'SPY', channel: 'l3' }]);
    const durable = (events: BookEvent[]) =>
      market.batchDurable({ changes: changes([]), events, engine: ex, requests: 1, commitMs: 0 });
    const spy = (): BookEvent[] => {
      let events: BookEvent[] = [];
      while (!events.some((e) => e.sym === 'SPY')) events = batch();
      return events;
    };
    durable(spy());
    assert.equal(ws.sent.length, 1);
    const first = ws.sent.pop() as Extract<ServerMessage, { type: 'l3' }>;
    assert.equal(first.type, 'l3');
    assert.equal(first.prevSeq, first.events[0]!.seq - 1);
    assert.equal(typeof first.events[0]!.time, 'number');

    ws.bufferedAmount = SLOW_CLIENT_BYTES + 1;
    durable(spy());
    durable(spy());
    assert.equal(ws.sent.length, 0, 'nothing queued for a backed-up client');
    ws.bufferedAmount = 0;
    const resumed = spy();
    durable(resumed);
    assert.deepEqual(ws.sent[0], { type: 'reset', symbol: 'SPY', channel: 'l3' });
    assert.equal(ws.sent[1]!.type, 'l3', 'then the stream goes on, for the new snapshot');
    assert.equal(ws.sent.length, 2);

    ws.emit(
      'message',
      Buffer.from(JSON.stringify({ op: 'unsubscribe', symbol: 'SPY', channel: 'l3' })),
      false,
    );
    await new Promise((resolve) => setImmediate(resolve));
    ws.sent.length = 0;
    durable(spy());
    assert.deepEqual(ws.sent, []);
    assert.equal(market.books.watching('SPY', 'l3'), false);
  } finally {
    hub.close();
  }
});
