// The depth chart: cumulative shares by price, bids (best and rightmost first) and asks, as
// stepped areas. As on exchanges' depth charts the x range is centred on the mid price and
// padded on both sides, and each side's curve runs on to its outer edge at its full depth, so
// a side with one level (or levels at the very end of the range) still has an area. Prices are
// parsed with Number() for plotting only; the legend shows the original price strings.
import uPlot from 'uplot';
import type { BookView } from '../../src/http/api-types.js';
import { fitToHost, hostSize } from './chart-size.js';
import { fmtPlotted } from './format.js';
import type { Renderable } from './scheduler.js';

const stepped = uPlot.paths.stepped;

interface Point {
  readonly x: number;
  readonly cum: number;
}

/** Cumulative shares from the best level outwards. */
function cumulate(levels: BookView['bids']): Point[] {
  let cum = 0;
  return levels.map((level) => ({ x: Number(level.price), cum: (cum += Number(level.shares)) }));
}

/** Padding beyond the outermost level, as a fraction of the plotted span. */
const PAD_FRACTION = 0.1;
/** The least padding, so a lone price level still gets a visible width. */
const MIN_PAD_TICKS = 3;

/** The smallest price step the strings show; never coarser than a cent, as "9" may be 9.00. */
function tickOf(prices: readonly string[]): number {
  let decimals = 2;
  for (const price of prices) {
    const dot = price.indexOf('.');
    if (dot >= 0) decimals = Math.max(decimals, price.length - dot - 1);
  }
  return 10 ** -decimals;
}

/**
 * Depth at each x (ascending): shares at x or better, walking out from the best level. Past
 * the best level (towards the other side) there is none; past the last level sent it stays at
 * the side's full depth, out to the chart's edge.
 */
function depthAt(
  points: readonly Point[],
  xs: readonly number[],
  side: 'bid' | 'ask',
): (number | null)[] {
  const out = new Array<number | null>(xs.length).fill(null);
  let j = 0;
  for (let k = 0; k < xs.length; k++) {
    const i = side === 'ask' ? k : xs.length - 1 - k; // bids walk down from the top
    const x = xs[i] as number;
    const reaches = (p: Point): boolean => (side === 'ask' ? p.x <= x : p.x >= x);
    while (j < points.length && reaches(points[j] as Point)) j++;
    out[i] = j > 0 ? (points[j - 1] as Point).cum : null;
  }
  return out;
}

export class DepthChart implements Renderable {
  private book: BookView | null = null;
  private labels: string[] = [];
  private readonly plot: uPlot;

  constructor(host: HTMLElement) {
    const opts: uPlot.Options = {
      ...hostSize(host),
      scales: {
        x: { time: false },
        y: { range: (_u, _min, max) => [0, Number.isFinite(max) && max > 0 ? max * 1.08 : 1] },
      },
      series: [
        {
          label: 'price',
          value: (_u, _v, _s, idx) => (idx === null ? '—' : (this.labels[idx] ?? '—')),
        },
        {
          label: 'bids',
          stroke: '#15803d',
          fill: 'rgba(22, 163, 74, 0.16)',
          width: 1.5,
          points: { show: false },
          value: (_u, v) => fmtPlotted(v),
          ...(stepped ? { paths: stepped({ align: -1 }) } : {}),
        },
        {
          label: 'asks',
          stroke: '#b91c1c',
          fill: 'rgba(220, 38, 38, 0.14)',
          width: 1.5,
          points: { show: false },
          value: (_u, v) => fmtPlotted(v),
          ...(stepped ? { paths: stepped({ align: 1 }) } : {}),
        },
      ],
      axes: [{ space: 70 }, { size: 56 }],
      cursor: { drag: { x: false, y: false } },
      legend: { show: true },
    };
    this.plot = new uPlot(opts, [[], [], []], host);
    fitToHost(this.plot, host);
  }

  setBook(book: BookView | null): void {
    this.book = book;
  }

  render(): void {
    const book = this.book;
    const labelOf = new Map<number, string>();
    for (const level of book?.bids ?? []) labelOf.set(Number(level.price), level.price);
    for (const level of book?.asks ?? []) labelOf.set(Number(level.price), level.price);
    const prices = Array.from(labelOf.keys()).sort((a, b) => a - b);
    const lowest = prices[0];
    const highest = prices[prices.length - 1];
    if (!book || lowest === undefined || highest === undefined) {
      this.labels = [];
      this.plot.setData([[], [], []]);
      return;
    }
    const bids = cumulate(book.bids); // price descending
    const asks = cumulate(book.asks); // price ascending

    // Centred on the mid price when both sides are there, so neither side is squeezed to an
    // edge; padded so the outermost levels stand clear of it.
    const bestBid = bids[0];
    const bestAsk = asks[0];
    const mid = bestBid && bestAsk ? (bestBid.x + bestAsk.x) / 2 : (lowest + highest) / 2;
    const half = Math.max(mid - lowest, highest - mid);
    const pad = Math.max(
      2 * half * PAD_FRACTION,
      MIN_PAD_TICKS * tickOf(Array.from(labelOf.values())),
    );
    const left = mid - half - pad;
    const right = mid + half + pad;

    // One shared, ascending x axis: the two edges and every price on either side.
    const xs = [left, ...prices, right];
    this.labels = [
      `< ${labelOf.get(lowest) ?? ''}`,
      ...prices.map((x) => labelOf.get(x) ?? String(x)),
      `> ${labelOf.get(highest) ?? ''}`,
    ];
    this.plot.setData([xs, depthAt(bids, xs, 'bid'), depthAt(asks, xs, 'ask')]);
  }
}
