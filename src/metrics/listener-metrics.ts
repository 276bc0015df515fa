// What the client listeners measure, in whichever process serves the sockets (the engine's
// own with --workers 0, each gateway otherwise): requests by kind and outcome, latency from
// a whole request read to its reply encoded, and open connections.

import { Counter, Gauge, type Registry } from 'prom-client';
import { BucketHistogram } from './bucket-histogram.js';
import type { Request, Result } from '../engine/commands.js';
import type { ExchangeError } from '../engine/errors.js';

/** Seconds; about 19% apart from 50 µs to 10 s, fine enough for p50/p99 by interpolation. */
export const LATENCY_BUCKETS = exponentialBuckets(0.00005, 1.19, 72);

export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(3)));
}

export type ListenerKind = 'classic' | 'framed';

export class ListenerMetrics {
  /**
   * Counted here and handed to prom-client when scraped: incrementing a labelled counter
   * per request costs a label hash each time, a plain map of numbers does not.
   */
  private readonly counts = new Map<string, number>();
  private readonly latency: BucketHistogram<ListenerKind>;
  /** Open connections per listener, handed to prom-client when scraped (one per request, classic). */
  private readonly open: Record<ListenerKind, number> = { classic: 0, framed: 0 };

  constructor(registry: Registry) {
    const counts = this.counts;
    new Counter({
      name: 'exchange_requests_total',
      help: 'XML request elements answered, by kind (account, grant, order, query, cancel; invalid for an element refused on its text alone; request for a whole request refused) and outcome (ok or the error code).',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, n] of counts) {
          const [kind, outcome] = key.split(' ');
          this.inc({ kind, outcome }, n);
        }
      },
    });
    this.latency = new BucketHistogram(
      registry,
      'exchange_request_duration_seconds',
      'From a whole XML request read to its reply encoded (includes waiting for the commit).',
      'listener',
      ['classic', 'framed'],
      LATENCY_BUCKETS,
    );
    const open = this.open;
    new Gauge({
      name: 'exchange_connections',
      help: 'Open client connections on the XML listeners.',
      labelNames: ['listener'] as const,
      registers: [registry],
      collect() {
        for (const listener of ['classic', 'framed'] as const)
          this.set({ listener }, open[listener]);
      },
    });
  }

  connectionOpened(listener: ListenerKind): void {
    this.open[listener]++;
  }

  connectionClosed(listener: ListenerKind): void {
    this.open[listener]--;
  }

  /** One request answered: its elements' outcomes, and how long it took. */
  answered(listener: ListenerKind, request: Request, results: readonly Result[], seconds: number) {
    this.latency.observe(listener, seconds);
    let i = 0;
    for (const child of request.children) {
      // A <symbol> creates its book without a reply of its own; its grants answer.
      if (child.kind === 'symbol') continue;
      const result = results[i++];
      this.count(child.kind, result?.kind === 'error' ? result.error.code : 'ok');
    }
  }

  /** A request refused as a whole (bad XML, overload, a store failure). */
  refused(listener: ListenerKind, error: ExchangeError, seconds: number): void {
    this.latency.observe(listener, seconds);
    this.count('request', error.code);
  }

  private count(kind: string, outcome: string): void {
    const key = `${kind} ${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}
