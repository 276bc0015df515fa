// The pieces behind the feed and the stats, alone: the trade tape, the feed's coalescing,
// percentiles from histogram buckets, the best levels of a book side, and the latency
// histogram against prom-client's own.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeSet, ExecutionRow } from '../../src/engine/changes.js';
import { Exchange } from '../../src/engine/exchange.js';
import { MarketFeed, PENDING_TRADES } from '../../src/market/market-feed.js';
import { TradeTape } from '../../src/market/trade-tape.js';
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { BucketHistogram } from '../../src/metrics/bucket-histogram.js';
import { bucketDelta, maxMs, quantileMs } from '../../src/metrics/percentiles.js';
import { Account } from '../../src/engine/account.js';
import { Order } from '../../src/engine/order.js';
import { PriceLevels } from '../../src/engine/price-levels.js';

const trade = (sym: string, n: number): ExecutionRow => ({
  sym,
  buyOrderId: n,
  sellOrderId: n + 1,
  shares: 1n,
  price: BigInt(n),
  time: 0,
});

const changes = (executions: ExecutionRow[]): ChangeSet => ({
  accounts: [],
  symbols: [],
  positions: [],
  newOrders: [],
  orderUpdates: [],
  executions,
  cancels: [],
});

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
    feed.batchDurable({ changes: changes(executions), engine, requests: 1, commitMs: 0 });
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
