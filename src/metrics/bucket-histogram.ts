// A latency histogram for the hot path: a binary search and an increment per observation
// (~20 ns), where prom-client's Histogram walks its buckets one by one and hashes the labels
// (~340 ns with 72 buckets: bench/metrics-cost.ts). It is handed to prom-client as a custom
// metric that answers in prom-client's own JSON shape, so /metrics prints it and the
// cluster aggregation adds it up like any histogram.

import type { Metric, Registry } from 'prom-client';

interface Series {
  /** counts[i]: observations in (bounds[i-1], bounds[i]]; the last one beyond every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class BucketHistogram<L extends string> {
  private readonly series = new Map<L, Series>();

  constructor(
    registry: Registry,
    private readonly name: string,
    help: string,
    /** null: one series, no label (`observe('', value)`). */
    private readonly labelName: string | null,
    labelValues: readonly L[],
    /** Upper bounds, ascending. */
    private readonly bounds: readonly number[],
  ) {
    for (const value of labelValues) {
      this.series.set(value, { counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 });
    }
    const metric = {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({
        name,
        help,
        type: 'histogram',
        aggregator: 'sum',
        values: this.values(),
      }),
      reset: () => {},
    };
    // prom-client reads a metric through get(); this one keeps its own counts.
    registry.registerMetric(metric as unknown as Metric);
  }

  observe(label: L, value: number): void {
    const series = this.series.get(label)!;
    const bounds = this.bounds;
    let low = 0;
    let high = bounds.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (value <= bounds[mid]!) high = mid;
      else low = mid + 1;
    }
    series.counts[low]!++;
    series.sum += value;
    series.count++;
  }

  /** Cumulative buckets, sum and count per label, as prom-client's Histogram gives them. */
  private values(): {
    labels: Record<string, string | number>;
    value: number;
    metricName: string;
  }[] {
    const out = [];
    for (const [label, series] of this.series) {
      const labels: Record<string, string> =
        this.labelName === null ? {} : { [this.labelName]: label };
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.counts[i]!;
        out.push({
          labels: { le: bound, ...labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      out.push({
        labels: { le: '+Inf', ...labels },
        value: series.count,
        metricName: `${this.name}_bucket`,
      });
      out.push({ labels, value: series.sum, metricName: `${this.name}_sum` });
      out.push({ labels, value: series.count, metricName: `${this.name}_count` });
    }
    return out;
  }
}
