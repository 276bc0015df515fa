// What the engine's process measures: batches, commit latency and the size of the state.
// Registered on the process's registry; read by /metrics and the stats sampler.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { ExchangeView } from '../engine/exchange-view.js';
import type { BatchObserver, BatchSource, DurableBatch } from '../engine/batch-observer.js';
import { BucketHistogram } from './bucket-histogram.js';
import { LATENCY_BUCKETS } from './listener-metrics.js';

export class EngineMetrics implements BatchObserver {
  // Observed once per batch, which with connection-per-request clients is once per request
  // or two: the cheap histogram, not prom-client's.
  private readonly batchSize: BucketHistogram<''>;
  private readonly commitSeconds: BucketHistogram<''>;
  private readonly writeSeconds: BucketHistogram<''>;
  private readonly writeBatches: BucketHistogram<''>;

  constructor(registry: Registry, sequencer: BatchSource) {
    const registers = [registry];
    this.batchSize = new BucketHistogram(
      registry,
      'exchange_batch_requests',
      'Requests per batch the engine applied and handed to the store together.',
      null,
      [''],
      Array.from({ length: 14 }, (_, i) => 2 ** i),
    );
    this.commitSeconds = new BucketHistogram(
      registry,
      'exchange_commit_duration_seconds',
      'From a batch handed to the store to durable (group commit: batches may share one).',
      null,
      [''],
      LATENCY_BUCKETS,
    );
    this.writeSeconds = new BucketHistogram(
      registry,
      'exchange_store_write_seconds',
      "A group of batches written together on the store's thread: its rows and its flush, " +
        'from the start of its transaction to the end of its commit (SQLite, PostgreSQL).',
      null,
      [''],
      LATENCY_BUCKETS,
    );
    this.writeBatches = new BucketHistogram(
      registry,
      'exchange_store_write_batches',
      "Batches in a group written together on the store's thread (SQLite, PostgreSQL).",
      null,
      [''],
      Array.from({ length: 14 }, (_, i) => 2 ** i),
    );
    const engine = (): ExchangeView => sequencer.currentEngine;
    new Gauge({
      name: 'exchange_open_orders',
      help: 'Orders resting in the books.',
      registers,
      collect() {
        this.set(engine().restingOrderCount);
      },
    });
    new Gauge({
      name: 'exchange_engine_columns',
      help:
        'Whether the fast column engine holds the state (1), or the classic engine (0): from ' +
        'the first value past its ranges, or from start with fees, until a restart.',
      registers,
      collect() {
        this.set(engine().engineKind === 'columns' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'exchange_accounts',
      help: 'Accounts.',
      registers,
      collect() {
        this.set(engine().accountCount);
      },
    });
    new Gauge({
      name: 'exchange_symbols',
      help: 'Symbols.',
      registers,
      collect() {
        this.set(engine().symbolCount);
      },
    });
    new Gauge({
      name: 'exchange_largest_batch_requests',
      help: 'The largest batch since start.',
      registers,
      collect() {
        this.set(sequencer.stats.largestBatch);
      },
    });
    new Counter({
      name: 'exchange_requests_shed_total',
      help: 'Requests refused with OVERLOADED because too many waited for the store.',
      registers,
      collect() {
        this.reset();
        this.inc(sequencer.stats.shed);
      },
    });
  }

  /** A group the store's thread wrote (Store.observeWrites). */
  storeWrote(seconds: number, batches: number): void {
    this.writeSeconds.observe('', seconds);
    this.writeBatches.observe('', batches);
  }

  batchDurable({ requests, commitMs }: DurableBatch): void {
    this.batchSize.observe('', requests);
    this.commitSeconds.observe('', commitMs / 1000);
  }
}
