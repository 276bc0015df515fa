// Samples the metrics once a second and turns the last interval into Stats: rates and
// percentiles over that second, not since start, so charts show what happens now. The HTTP
// side serves them as they are (its Stats schema must accept this shape; the compiler
// checks it where the route returns them).

import type { MetricsJson } from './cluster-metrics.js';
import type { MetricsHub } from './metrics-hub.js';
import { bucketDelta, maxMs, quantileMs, type Buckets } from './percentiles.js';

/** Milliseconds, estimated from histogram buckets. */
export interface Latency {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export interface Stats {
  /** Seconds since the epoch when this sample was taken. */
  readonly time: number;
  readonly uptimeSeconds: number;
  /** XML requests (on every listener and gateway) and JSON API requests answered since start. */
  readonly requests: { readonly total: number; readonly perSecond: number };
  /** XML request latency, whole request read to reply encoded, over the last interval. */
  readonly latencyMs: Latency;
  readonly batches: {
    readonly total: number;
    readonly perSecond: number;
    /** Mean requests per batch over the last interval. */
    readonly meanSize: number | null;
    readonly largest: number;
  };
  /** Store commit latency over the last interval. */
  readonly commitMs: Latency;
  /** Client connections open on the XML listeners (all gateways). */
  readonly connections: { readonly open: number };
  readonly openOrders: number;
  readonly accounts: number;
  readonly symbols: number;
  /** Gateway processes whose figures are included (0: the engine's process serves clients). */
  readonly gateways: number;
}

interface Sample {
  readonly at: number;
  /** Gateways whose figures are in it: a delta is only meaningful between equal sets. */
  readonly gateways: number;
  readonly requests: number;
  readonly batches: number;
  readonly batchedRequests: number;
  readonly latency: Buckets;
  readonly commit: Buckets;
}

type Value = MetricsJson[number]['values'][number] & { metricName?: string };

function valuesOf(json: MetricsJson, name: string): Value[] {
  return (json.find((m) => m.name === name)?.values ?? []) as Value[];
}

/** Sum of a counter or gauge over all its label sets (or of one histogram series). */
function total(json: MetricsJson, name: string, series?: string): number {
  let sum = 0;
  for (const v of valuesOf(json, name))
    if (series === undefined || v.metricName === series) sum += v.value;
  return sum;
}

/** A histogram's cumulative buckets, added up over its other labels. */
function buckets(json: MetricsJson, name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const v of valuesOf(json, name)) {
    if (v.metricName !== `${name}_bucket`) continue;
    const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
    out.set(le, (out.get(le) ?? 0) + v.value);
  }
  return out;
}

function latencyView(delta: Buckets): Latency {
  return {
    p50: quantileMs(delta, 0.5),
    p90: quantileMs(delta, 0.9),
    p99: quantileMs(delta, 0.99),
    max: maxMs(delta),
  };
}

export class StatsSampler {
  private previous: Sample | null = null;
  private latestView: Stats | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  /** Told of every new sample (the WebSocket stats channel). */
  readonly listeners = new Set<(stats: Stats) => void>();

  constructor(
    private readonly hub: MetricsHub,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    // A failed sample (a gateway gone mid-question, say) only leaves a gap in the charts.
    this.timer ??= setInterval(() => this.sample().catch(() => {}), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The newest sample, taking a first one if there is none yet. */
  async latest(): Promise<Stats> {
    return this.latestView ?? (await this.sample());
  }

  async sample(): Promise<Stats> {
    const json = await this.hub.gather();
    const now = Date.now();
    const latencyName = 'exchange_request_duration_seconds';
    const sample: Sample = {
      at: now,
      gateways: this.hub.gatewaysReporting,
      requests:
        total(json, latencyName, `${latencyName}_count`) +
        total(json, 'exchange_http_requests_total'),
      batches: total(json, 'exchange_batch_requests', 'exchange_batch_requests_count'),
      batchedRequests: total(json, 'exchange_batch_requests', 'exchange_batch_requests_sum'),
      latency: buckets(json, latencyName),
      commit: buckets(json, 'exchange_commit_duration_seconds'),
    };
    // A gateway that missed a sample (or restarted) would make the difference meaningless:
    // that one sample reports figures since start instead.
    const before =
      this.previous !== null && this.previous.gateways === sample.gateways ? this.previous : null;
    const seconds = before === null ? (now - this.startedAt) / 1000 : (now - before.at) / 1000;
    const per = (n: number, then: number | undefined): number =>
      seconds > 0 ? Math.max(0, Math.round(((n - (then ?? 0)) / seconds) * 10) / 10) : 0;
    const intervalBatches = sample.batches - (before?.batches ?? 0);
    const view: Stats = {
      time: Math.floor(now / 1000),
      uptimeSeconds: Math.round((now - this.startedAt) / 1000),
      requests: { total: sample.requests, perSecond: per(sample.requests, before?.requests) },
      latencyMs: latencyView(bucketDelta(sample.latency, before?.latency)),
      batches: {
        total: sample.batches,
        perSecond: per(sample.batches, before?.batches),
        meanSize:
          intervalBatches > 0
            ? Math.round(
                ((sample.batchedRequests - (before?.batchedRequests ?? 0)) / intervalBatches) * 10,
              ) / 10
            : null,
        largest: total(json, 'exchange_largest_batch_requests'),
      },
      commitMs: latencyView(bucketDelta(sample.commit, before?.commit)),
      connections: { open: total(json, 'exchange_connections') },
      openOrders: total(json, 'exchange_open_orders'),
      accounts: total(json, 'exchange_accounts'),
      symbols: total(json, 'exchange_symbols'),
      gateways: this.hub.gatewaysReporting,
    };
    this.previous = sample;
    this.latestView = view;
    for (const listener of this.listeners) listener(view);
    return view;
  }
}
