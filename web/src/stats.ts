// Server figures from the `stats` channel (once a second): current values as text, and the
// last five minutes of throughput, request latency and commit latency as uPlot charts.
import uPlot from 'uplot';
import type { StatsView } from '../../src/http/api-types.js';
import { fitToHost, hostSize } from './chart-size.js';
import { byId, setText } from './dom.js';
import { axisClock, axisNumber, fmtCount, fmtDuration, fmtMs } from './format.js';
import type { Renderable } from './scheduler.js';

const WINDOW_SECONDS = 300;
/** Samples further apart than this get a gap in the lines (feed was down). */
const GAP_SECONDS = 5;

type Column = (number | null)[];

/** Tick spacings for a five-minute window, in seconds. */
const TIME_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

function timeChart(host: HTMLElement, series: uPlot.Series[]): uPlot {
  const value = (_u: uPlot, v: number | null): string => fmtMs(v);
  const opts: uPlot.Options = {
    ...hostSize(host),
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => {
          const end = Number.isFinite(max) ? max : Date.now() / 1000;
          return [Math.min(Number.isFinite(min) ? min : end, end - WINDOW_SECONDS), end];
        },
      },
      y: { range: (_u, _min, max) => [0, Number.isFinite(max) && max > 0 ? max * 1.15 : 1] },
    },
    series: [{}, ...series.map((s) => ({ width: 1.5, points: { show: false }, value, ...s }))],
    axes: [
      { space: 35, incrs: TIME_STEPS, values: (_u, splits) => splits.map(axisClock) },
      { size: 44, values: (_u, splits) => splits.map(axisNumber) },
    ],
    cursor: { sync: { key: 'stats' }, drag: { x: false, y: false } },
    legend: { show: true },
  };
  const plot = new uPlot(opts, [[], ...series.map(() => [])], host);
  fitToHost(plot, host);
  return plot;
}

export class StatsPanel implements Renderable {
  private readonly time: number[] = [];
  private readonly rps: Column = [];
  private readonly p50: Column = [];
  private readonly p99: Column = [];
  private readonly commitP99: Column = [];
  private latest: StatsView | null = null;
  private readonly throughput: uPlot;
  private readonly latency: uPlot;
  private readonly commit: uPlot;
  private readonly fields = {
    uptime: byId('stat-uptime', HTMLElement),
    rps: byId('stat-requests-per-second', HTMLElement),
    p50: byId('stat-latency-p50', HTMLElement),
    p99: byId('stat-latency-p99', HTMLElement),
    commitP99: byId('stat-commit-p99', HTMLElement),
    openOrders: byId('stat-open-orders', HTMLElement),
    connections: byId('stat-connections', HTMLElement),
    batchMean: byId('stat-batch-mean', HTMLElement),
    batchesPerSecond: byId('stat-batches-per-second', HTMLElement),
    accounts: byId('stat-accounts', HTMLElement),
  };

  constructor(throughputHost: HTMLElement, latencyHost: HTMLElement, commitHost: HTMLElement) {
    this.throughput = timeChart(throughputHost, [
      { label: 'requests/s', stroke: '#2563eb', fill: 'rgba(37, 99, 235, 0.1)', value: count },
    ]);
    this.latency = timeChart(latencyHost, [
      { label: 'p50', stroke: '#0891b2' },
      { label: 'p99', stroke: '#ea580c' },
    ]);
    this.commit = timeChart(commitHost, [{ label: 'commit p99', stroke: '#7c3aed' }]);
  }

  push(stats: StatsView): void {
    const last = this.time[this.time.length - 1];
    if (last !== undefined && stats.time <= last) {
      if (stats.time === last) return; // the same sample again (REST and feed)
      this.clear(); // time went backwards: a restarted server or a changed clock
    }
    if (last !== undefined && stats.time - last > GAP_SECONDS) this.append(last + 1, null);
    this.append(stats.time, stats);
    const cutoff = stats.time - WINDOW_SECONDS;
    let drop = 0;
    while (drop < this.time.length && (this.time[drop] as number) < cutoff) drop++;
    if (drop > 0) for (const column of this.columns()) column.splice(0, drop);
    this.latest = stats;
  }

  render(): void {
    const s = this.latest;
    if (s) {
      const f = this.fields;
      setText(f.uptime, `up ${fmtDuration(s.uptimeSeconds)}`);
      setText(f.rps, fmtCount(s.requests.perSecond));
      setText(f.p50, fmtMs(s.latencyMs.p50));
      setText(f.p99, fmtMs(s.latencyMs.p99));
      setText(f.commitP99, fmtMs(s.commitMs.p99));
      setText(f.openOrders, fmtCount(s.openOrders));
      setText(f.connections, fmtCount(s.connections.open));
      setText(f.batchMean, s.batches.meanSize === null ? '—' : s.batches.meanSize.toFixed(1));
      setText(f.batchesPerSecond, fmtCount(s.batches.perSecond));
      setText(f.accounts, fmtCount(s.accounts));
    }
    this.throughput.setData([this.time, this.rps]);
    this.latency.setData([this.time, this.p50, this.p99]);
    this.commit.setData([this.time, this.commitP99]);
  }

  private append(time: number, s: StatsView | null): void {
    this.time.push(time);
    this.rps.push(s ? s.requests.perSecond : null);
    this.p50.push(s ? s.latencyMs.p50 : null);
    this.p99.push(s ? s.latencyMs.p99 : null);
    this.commitP99.push(s ? s.commitMs.p99 : null);
  }

  private clear(): void {
    for (const column of this.columns()) column.length = 0;
  }

  private columns(): Column[] {
    return [this.time, this.rps, this.p50, this.p99, this.commitP99];
  }
}

function count(_u: uPlot, v: number | null): string {
  return v === null ? '—' : fmtCount(v);
}
